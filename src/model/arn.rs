//! Amazon Resource Names and AWS resource IDs, recognised offline: the extensions that name
//! existing AWS resources are checked for shape here, since compose2cfn never asks AWS
//! whether they exist.

/// The parts of `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arn<'a> {
    pub service: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    /// Parses an ARN of any partition (`aws`, `aws-cn`, `aws-us-gov`, ...), checking the
    /// account (12 digits, or empty) and the region's characters.
    #[must_use]
    pub fn parse(text: &'a str) -> Option<Self> {
        let mut parts = text.splitn(6, ':');
        let (
            Some("arn"),
            Some(partition),
            Some(service),
            Some(region),
            Some(account),
            Some(resource),
        ) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        )
        else {
            return None;
        };
        let region_ok = region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        let account_ok = account.is_empty() || is_account(account) || account == "aws";
        (partition.starts_with("aws")
            && !service.is_empty()
            && region_ok
            && account_ok
            && !resource.is_empty())
        .then_some(Self {
            service,
            region,
            account,
            resource,
        })
    }

    /// Parses an ARN of `service` in a region of an account (12 digits).
    #[must_use]
    pub fn regional(text: &'a str, service: &str) -> Option<Self> {
        Self::parse(text).filter(|arn| {
            arn.service == service && !arn.region.is_empty() && is_account(arn.account)
        })
    }
}

/// A 12-digit AWS account ID.
#[must_use]
pub fn is_account(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

/// An EC2-style ID: `prefix-` and 8 or 17 lower-case hex digits (`vpc-0abc...`).
#[must_use]
pub fn is_id(text: &str, prefix: &str) -> bool {
    text.strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix('-'))
        .is_some_and(|hex| {
            matches!(hex.len(), 8 | 17)
                && hex
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns() {
        let arn = Arn::parse("arn:aws:ecs:eu-west-1:123456789012:cluster/prod").unwrap();
        assert_eq!(
            (arn.service, arn.region, arn.account, arn.resource),
            ("ecs", "eu-west-1", "123456789012", "cluster/prod")
        );
        assert!(Arn::parse("arn:aws-cn:iam::aws:policy/ReadOnlyAccess").is_some());
        assert!(Arn::parse("arn:aws:ecs:<region>:<account>:cluster/x").is_none());
        assert!(Arn::parse("prod").is_none());
        assert!(Arn::regional("arn:aws:iam::123456789012:role/x", "iam").is_none());
        assert!(
            Arn::regional("arn:aws:acm:us-east-1:123456789012:certificate/1-2", "acm").is_some()
        );
    }

    #[test]
    fn ids() {
        assert!(is_id("vpc-0123abcd", "vpc"));
        assert!(is_id("subnet-0123456789abcdef0", "subnet"));
        assert!(!is_id("vpc-XYZ", "vpc"));
        assert!(!is_id("subnet-0123abcd", "vpc"));
        assert!(!is_id("vpc-0123abc", "vpc"));
    }
}
