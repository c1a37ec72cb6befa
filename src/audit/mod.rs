//! The run-time rules: what AWS needs of a deployed stack for the application to run, and
//! to run securely, which schema checks (cfn-lint, checkov) cannot see: a health check
//! that can never pass, a task that cannot pull its image, an IAM action that does not
//! match the ARN it names. One rule per fact, each citing the AWS documentation page it
//! comes from ([`RULES`]).
//!
//! The rules read the documents as written (the root and its nested stacks, joined by
//! [`stack::Stack`]), in every network layout the template's conditions allow. They run
//! on every compilation (a finding is an error at the Compose element behind the resource,
//! `E0422`), on every template the tests emit, and on any template file with
//! `compose2cfn audit`.

mod access;
mod limits;
mod network;
pub mod stack;
mod storage;

use std::path::{Path, PathBuf};

use serde_json::Value as Json;

pub use stack::{Document, Stack};

/// One fact about what AWS does with a template, and its check.
pub struct Rule {
    /// `R01`, ...
    pub id: &'static str,
    /// Kebab-case, e.g. `image-pull-route`.
    pub name: &'static str,
    /// The fact, one sentence.
    pub fact: &'static str,
    /// The AWS documentation page the fact comes from.
    pub source: &'static str,
    check: fn(&Stack, &mut Findings),
}

/// Every rule, in the order they are reported.
pub const RULES: &[Rule] = &[
    Rule {
        id: "R01",
        name: "target-group-health-check",
        fact: "A target group's health checks use TCP, HTTP or HTTPS, on the traffic port unless HealthCheckPort names another; a UDP target group's traffic port answers no TCP, so it needs a HealthCheckPort; and the targets' security groups must admit the checks",
        source: "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/target-group-health-checks.html",
        check: network::health_checks,
    },
    Rule {
        id: "R02",
        name: "image-pull-route",
        fact: "A Fargate task pulls its image over its own network interface, and an EC2 instance over its own for its tasks: in a subnet routed to an internet gateway it needs a public IP, behind a NAT gateway it does not; where the template does not create the subnets, only the deployer knows which, so the public IP must be a parameter",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-task-networking.html",
        check: network::image_pull,
    },
    Rule {
        id: "R03",
        name: "secret-read-permission",
        fact: "ECS reads a container's secrets with the task execution role: secretsmanager:GetSecretValue on a Secrets Manager secret, ssm:GetParameters on a Systems Manager parameter",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-ssm-paramstore.html",
        check: access::secret_permissions,
    },
    Rule {
        id: "R04",
        name: "efs-file-system-policy",
        fact: "Without a file system policy, EFS grants full access (root included) to every client that reaches a mount target; a policy that denies transport without TLS and mounts outside an access point makes the task role's access-point conditions hold, and the task role must then itself allow ClientMount and ClientRootAccess (else root is squashed to nobody)",
        source: "https://docs.aws.amazon.com/efs/latest/ug/iam-access-control-nfs-efs.html",
        check: storage::file_system_policy,
    },
    Rule {
        id: "R05",
        name: "efs-mount-target-per-zone",
        fact: "A task mounts EFS through the mount target in its own Availability Zone: every subnet its tasks can be placed in needs one",
        source: "https://docs.aws.amazon.com/efs/latest/ug/accessing-fs.html",
        check: storage::mount_targets,
    },
    Rule {
        id: "R06",
        name: "task-ingress-sources",
        fact: "Nothing reaches a task but its load balancer and the members of its networks: its security groups admit themselves (a network's members) and a load balancer's security group, never address ranges or other groups",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/security-network.html",
        check: network::task_ingress,
    },
    Rule {
        id: "R07",
        name: "task-definition-size",
        fact: "ECS refuses a task definition larger than 64 KiB",
        source: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html",
        check: limits::task_definition_size,
    },
    Rule {
        id: "R08",
        name: "template-size",
        fact: "CloudFormation refuses a template body larger than 1 MB (from S3)",
        source: "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html",
        check: limits::template_size,
    },
    Rule {
        id: "R09",
        name: "names-unique-per-stack",
        fact: "A resource given a fixed physical name exists once per account and region (a private DNS namespace once per VPC): a second stack of the same project (staging beside production) fails to create it, unless the name derives from the stack's",
        source: "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-name.html",
        check: limits::unique_names,
    },
    Rule {
        id: "R10",
        name: "capacity-provider-associations",
        fact: "An Auto Scaling group capacity provider listed in the cluster's own CapacityProviders makes the cluster depend on it, and deleting the stack can fail or hang; AWS::ECS::ClusterCapacityProviderAssociations avoids it",
        source: "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-ecs-clustercapacityproviderassociations.html",
        check: limits::capacity_providers,
    },
    Rule {
        id: "R11",
        name: "rule-functions",
        fact: "A template's Rules take rule-specific functions only (Fn::And, Fn::Contains, Fn::EachMemberEquals, Fn::EachMemberIn, Fn::Equals, Fn::If, Fn::Not, Fn::Or, Fn::RefAll, Fn::ValueOf, Fn::ValueOfAll, and Ref)",
        source: "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-rules.html",
        check: limits::rule_functions,
    },
];

/// A rule broken by a resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The rule's index in [`RULES`].
    rule: usize,
    /// The logical ID of the resource (or the document's path, for a template's size).
    pub resource: String,
    pub message: String,
}

impl Finding {
    #[must_use]
    pub fn rule(&self) -> &'static Rule {
        &RULES[self.rule]
    }
}

/// What the rules' checks report into: one finding per rule and resource, the first (one
/// layout that breaks a rule says enough).
pub struct Findings {
    rule: usize,
    found: std::collections::BTreeMap<(usize, String), String>,
}

impl Findings {
    fn add(&mut self, resource: &str, message: String) {
        self.found
            .entry((self.rule, resource.to_string()))
            .or_insert(message);
    }
}

/// Every rule on a stack's documents (the root first); the findings in rule order.
#[must_use]
pub fn check(documents: Vec<Document>) -> Vec<Finding> {
    let stack = Stack::join(documents);
    let mut findings = Findings {
        rule: 0,
        found: std::collections::BTreeMap::new(),
    };
    for (index, rule) in RULES.iter().enumerate() {
        findings.rule = index;
        (rule.check)(&stack, &mut findings);
    }
    findings
        .found
        .into_iter()
        .map(|((rule, resource), message)| Finding {
            rule,
            resource,
            message,
        })
        .collect()
}

/// A template file and the nested templates its `TemplateURL`s name by relative path,
/// read as JSON (CloudFormation's YAML, long-form intrinsics, or JSON).
pub struct Files {
    /// The root, then the nested templates by their path relative to the root's folder.
    pub documents: Vec<Document>,
}

impl Files {
    /// Reads `root` and the nested templates beside it.
    ///
    /// # Errors
    /// A file that cannot be read or is not a template: what went wrong.
    pub fn read(root: &Path) -> Result<Files, String> {
        let (template, bytes) = read_template(root)?;
        let folder = root.parent().unwrap_or(Path::new("."));
        let mut documents = Vec::new();
        for (_, resource) in template["Resources"].as_object().into_iter().flatten() {
            if resource["Type"] != "AWS::CloudFormation::Stack" {
                continue;
            }
            let Some(url) = resource["Properties"]["TemplateURL"].as_str() else {
                continue;
            };
            let path: PathBuf = folder.join(url);
            if url.contains("://") || !path.is_file() {
                continue;
            }
            let (nested, size) = read_template(&path)?;
            documents.push(Document {
                path: Some(url.to_string()),
                template: nested,
                bytes: size,
            });
        }
        documents.insert(
            0,
            Document {
                path: None,
                template,
                bytes,
            },
        );
        Ok(Files { documents })
    }
}

fn read_template(path: &Path) -> Result<(Json, usize), String> {
    let bytes = crate::load::read_bytes(path).map_err(|e| e.to_string())?;
    let size = bytes.len();
    let text =
        String::from_utf8(bytes).map_err(|_| format!("`{}` is not UTF-8 text", path.display()))?;
    let mut sources = crate::source::SourceMap::new();
    let id = sources.add(path.display().to_string(), None, text.clone());
    let mut diags = crate::diag::Diagnostics::new();
    let node = crate::load::yaml::parse(&text, id, &mut diags)
        .filter(|_| !diags.has_errors())
        .ok_or_else(|| format!("`{}` is not a YAML or JSON template", path.display()))?;
    let mut template = node.to_json();
    // Objects in key order, not the file's: what the rules report must not depend on
    // whether serde_json keeps insertion order (its `preserve_order` feature).
    template.sort_all_objects();
    Ok((template, size))
}

/// Wildcard match of IAM patterns: `*` any run, `?` any one character.
#[must_use]
pub fn matches(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iam_wildcards() {
        assert!(matches(
            "arn:aws:secretsmanager:*:secret:db-??????",
            "arn:aws:secretsmanager:eu:1:secret:db-AbC123"
        ));
        assert!(!matches(
            "arn:aws:secretsmanager:*:secret:db-??????",
            "arn:aws:secretsmanager:eu:1:secret:db"
        ));
        assert!(matches("ssm:GetParameter*", "ssm:GetParameters"));
        assert!(matches("*", ""));
        assert!(!matches("a", "ab"));
    }

    #[test]
    fn rules_are_numbered_in_order_and_cite_aws() {
        for (index, rule) in RULES.iter().enumerate() {
            assert_eq!(rule.id, format!("R{:02}", index + 1));
            assert!(
                rule.source.starts_with("https://docs.aws.amazon.com/"),
                "{}",
                rule.id
            );
            assert!(
                rule.name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'-')
            );
        }
    }
}
