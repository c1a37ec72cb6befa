//! The IAM extensions of a service: `x-aws-pull_credentials` must name a Secrets Manager
//! secret, `x-aws-policies` managed policies, and `x-aws-role` must be a policy document or
//! the ARN of an existing role (which then gets nothing added).

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::model::arn::{Arn, is_account};
use crate::model::{Project, Service};

pub(super) fn check(project: &Project, diags: &mut Diagnostics) {
    for service in project.services.values().filter(|s| !s.partial) {
        pull_credentials(service, diags);
        managed_policies(service, diags);
        role_policy(service, diags);
        existing_role(service, diags);
    }
}

/// `arn:aws:iam::ACCOUNT:role/PATH/NAME`.
fn is_role_arn(text: &str) -> bool {
    Arn::parse(text).is_some_and(|arn| {
        arn.service == "iam"
            && arn.region.is_empty()
            && is_account(arn.account)
            && arn
                .resource
                .strip_prefix("role/")
                .is_some_and(|name| !name.is_empty())
    })
}

/// An existing task role: a role ARN, and nothing compose2cfn would have to add to it.
fn existing_role(service: &Service, diags: &mut Diagnostics) {
    let Some((arn, span)) = &service.existing_role else {
        return;
    };
    if !is_role_arn(arn) {
        diags.push(
            Diagnostic::new(
                Code::InvalidValue,
                format!("`{arn}` is not the ARN of an IAM role"),
            )
            .at(*span)
            .with_help("give `arn:aws:iam::123456789012:role/NAME`, or an inline policy document"),
        );
        return;
    }
    let needs = if !service.managed_policies.is_empty() {
        Some("`x-aws-policies`")
    } else if !service.mounts.is_empty() {
        Some("its volume mounts")
    } else {
        None
    };
    if let Some(needs) = needs {
        diags.push(
            Diagnostic::new(
                Code::InvalidValue,
                format!("`{}` uses an existing role, which cannot also get the permissions of {needs}", service.name),
            )
            .at(*span)
            .with_help("compose2cfn does not change roles it does not own: grant those permissions to the role yourself, or give `x-aws-role` as a policy document"),
        );
    }
}

/// `arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME`.
fn is_secret_arn(text: &str) -> bool {
    Arn::regional(text, "secretsmanager").is_some_and(|arn| {
        arn.resource
            .strip_prefix("secret:")
            .is_some_and(|name| !name.is_empty())
    })
}

/// `arn:aws:iam::ACCOUNT:policy/NAME` (or `aws` for AWS managed policies).
fn is_policy_arn(text: &str) -> bool {
    Arn::parse(text).is_some_and(|arn| {
        let name = arn.resource.strip_prefix("policy/").unwrap_or_default();
        arn.service == "iam"
            && arn.region.is_empty()
            && !arn.account.is_empty()
            && !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_/-".contains(&b))
    })
}

fn pull_credentials(service: &Service, diags: &mut Diagnostics) {
    let Some((arn, span)) = &service.pull_credentials else {
        return;
    };
    if !is_secret_arn(arn) {
        diags.push(
            Diagnostic::new(Code::InvalidValue, "`x-aws-pull_credentials` must be the ARN of a Secrets Manager secret")
                .at(*span)
                .with_help("store the registry's `{\"username\": ..., \"password\": ...}` in Secrets Manager and give its ARN, `arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME`"),
        );
    }
}

fn managed_policies(service: &Service, diags: &mut Diagnostics) {
    for (arn, span) in &service.managed_policies {
        if !is_policy_arn(arn) {
            diags.push(
                Diagnostic::new(Code::InvalidValue, format!("`{arn}` is not the ARN of a managed policy"))
                    .at(*span)
                    .with_help("managed policies are named like `arn:aws:iam::aws:policy/ReadOnlyAccess` or `arn:aws:iam::ACCOUNT:policy/NAME`"),
            );
        }
    }
}

fn role_policy(service: &Service, diags: &mut Diagnostics) {
    let Some((document, span)) = &service.role_policy else {
        return;
    };
    if document.get("Statement").is_none() {
        diags.push(
            Diagnostic::new(
                Code::InvalidValue,
                "`x-aws-role` is not an IAM policy document",
            )
            .at(*span)
            .with_help("give a policy document: `Version: \"2012-10-17\"` and a `Statement` list"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns() {
        assert!(is_secret_arn(
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:reg-AbC"
        ));
        assert!(is_secret_arn(
            "arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:a:b"
        ));
        assert!(!is_secret_arn(
            "arn:aws:secretsmanager:<region>:<account>:secret:x"
        ));
        assert!(!is_secret_arn("my-secret"));
        assert!(is_policy_arn("arn:aws:iam::aws:policy/ReadOnlyAccess"));
        assert!(is_policy_arn(
            "arn:aws:iam::123456789012:policy/team/s3-read"
        ));
        assert!(!is_policy_arn("arn:aws:iam::<account>:policy/x"));
        assert!(!is_policy_arn("arn:aws:iam::123456789012:role/x"));
        assert!(is_role_arn("arn:aws:iam::123456789012:role/team/app"));
        assert!(!is_role_arn("arn:aws:iam::123456789012:policy/x"));
        assert!(!is_role_arn("my-role"));
    }
}
