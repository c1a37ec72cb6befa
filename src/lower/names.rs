//! Logical IDs, derived from Compose names only, with the Docker ECS integration's scheme
//! (`db-data` → `Dbdata`) so stacks it created update in place.

/// The Docker integration's normalisation: every character that is not an ASCII letter or
/// digit removed, the first letter upper-cased.
#[must_use]
pub fn normalize(name: &str) -> String {
    let kept: String = name.chars().filter(char::is_ascii_alphanumeric).collect();
    let mut chars = kept.chars();
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

/// Logical ID of a resource that belongs to a service: `{N(service)}{suffix}`.
#[must_use]
pub fn service_id(service: &str, suffix: &str) -> String {
    format!("{}{suffix}", normalize(service))
}

/// Logical ID of a network's security group.
#[must_use]
pub fn network_id(network: &str) -> String {
    format!("{}Network", normalize(network))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_integration_names() {
        assert_eq!(normalize("db-data"), "Dbdata");
        assert_eq!(normalize("front-tier"), "Fronttier");
        assert_eq!(normalize("my_web"), "Myweb");
        assert_eq!(normalize("simple"), "Simple");
        assert_eq!(normalize("2fa"), "2fa");
        assert_eq!(service_id("web", "Service"), "WebService");
        assert_eq!(network_id("default"), "DefaultNetwork");
    }
}
