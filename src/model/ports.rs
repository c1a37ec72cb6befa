//! Port mappings: the short syntax (`80`, `"8080:80"`, `"127.0.0.1:8080:80/udp"`,
//! `"3000-3002:3000-3002"`) and the long syntax, normalised to one [`PortMapping`] per
//! container port.

use super::spec::{IntOrStr, Port, PortLong};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Protocol {
    Tcp,
    Udp,
}

impl Protocol {
    #[must_use]
    pub fn lower(self) -> &'static str {
        match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
        }
    }

    #[must_use]
    pub fn upper(self) -> &'static str {
        match self {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
        }
    }
}

/// One container port and where it is published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortMapping {
    pub target: u16,
    /// `None` when the port is only opened to the container (no `published`).
    pub published: Option<u16>,
    pub protocol: Protocol,
    /// Compose's `app_protocol`, lower case.
    pub app_protocol: Option<String>,
    /// The Docker ECS integration's `x-aws-protocol`, lower case.
    pub x_aws_protocol: Option<String>,
    pub name: Option<String>,
    /// `x-aws-certificate`: the ACM certificate the load balancer serves the port with.
    pub certificate: Option<String>,
    /// The host address the port is bound to, as written.
    pub host_ip: Option<String>,
    /// Bound to a loopback address (`127.0.0.1:8080:80`): Compose keeps it off the network,
    /// so it is not published on the load balancer.
    pub loopback: bool,
    /// Written without a published port (Compose picks a random host port) and the target
    /// port is published by another mapping: the load balancer cannot listen on it twice.
    pub shadowed: bool,
}

impl PortMapping {
    /// The port the load balancer listens on: `published`, or the target when Compose
    /// leaves the host port to chance (`"8080"`).
    #[must_use]
    pub fn listener_port(&self) -> u16 {
        self.published.unwrap_or(self.target)
    }

    /// Whether the load balancer publishes the port.
    #[must_use]
    pub fn is_published(&self) -> bool {
        !self.loopback && !self.shadowed
    }

    /// Whether the file says the port does not speak HTTP (UDP, or an `app_protocol` such
    /// as `tcp`): an application load balancer cannot serve it.
    #[must_use]
    pub fn is_not_http(&self) -> bool {
        self.protocol == Protocol::Udp
            || self
                .app_protocol
                .as_deref()
                .or(self.x_aws_protocol.as_deref())
                .is_some_and(|p| !matches!(p, "http" | "https" | "grpc"))
    }

    /// Whether the port speaks HTTP: the application load balancer can serve it.
    #[must_use]
    pub fn is_http(&self) -> bool {
        match (self.app_protocol.as_deref(), self.x_aws_protocol.as_deref()) {
            (Some(p), _) | (None, Some(p)) => matches!(p, "http" | "https" | "grpc"),
            (None, None) => self.listener_port() == 80 && self.protocol == Protocol::Tcp,
        }
    }
}

/// Most ports one range may map: every published port becomes a load-balancer listener, and
/// a load balancer has at most 50.
const MAX_RANGE: usize = 100;

fn protocol(text: &str) -> Result<Protocol, String> {
    match text.to_ascii_lowercase().as_str() {
        "tcp" | "" => Ok(Protocol::Tcp),
        "udp" => Ok(Protocol::Udp),
        other => Err(format!("`{other}` is not a port protocol (`tcp` or `udp`)")),
    }
}

fn port_number(text: &str) -> Result<u16, String> {
    match text.trim().parse::<u32>() {
        Ok(n) if (1..=65535).contains(&n) => Ok(n as u16),
        Ok(n) => Err(format!("port {n} is outside 1-65535")),
        Err(_) => Err(format!("`{text}` is not a port number")),
    }
}

fn range(text: &str) -> Result<(u16, u16), String> {
    match text.split_once('-') {
        Some((a, b)) => {
            let (a, b) = (port_number(a)?, port_number(b)?);
            if a > b {
                return Err(format!("the range `{text}` runs backwards"));
            }
            Ok((a, b))
        }
        None => {
            let p = port_number(text)?;
            Ok((p, p))
        }
    }
}

/// Parses one `ports` entry.
///
/// # Errors
/// A message saying what is wrong with it.
pub fn parse(port: &Port) -> Result<Vec<PortMapping>, String> {
    match port {
        Port::Number(n) => {
            if n.fract() != 0.0 {
                return Err(format!("`{n}` is not a port number"));
            }
            Ok(vec![mapping(
                port_number(&n.to_string())?,
                None,
                Protocol::Tcp,
            )])
        }
        Port::Short(text) => parse_short(text),
        Port::Long(long) => parse_long(long).map(|m| vec![m]),
    }
}

fn mapping(target: u16, published: Option<u16>, protocol: Protocol) -> PortMapping {
    PortMapping {
        target,
        published,
        protocol,
        app_protocol: None,
        x_aws_protocol: None,
        name: None,
        certificate: None,
        host_ip: None,
        loopback: false,
        shadowed: false,
    }
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn parse_short(text: &str) -> Result<Vec<PortMapping>, String> {
    let (body, proto) = match text.rsplit_once('/') {
        Some((body, proto)) => (body, protocol(proto)?),
        None => (text, Protocol::Tcp),
    };
    // An IPv6 host address is bracketed: `[::1]:8080:80`.
    let (ipv6, body) = match body.strip_prefix('[') {
        Some(rest) => match rest.split_once("]:") {
            Some((ip, after)) => (Some(ip), after),
            None => (None, body),
        },
        None => (None, body),
    };
    let parts: Vec<&str> = body.split(':').collect();
    let (host, published, target) = match parts.as_slice() {
        [target] => (ipv6, None, *target),
        [published, target] => (ipv6, Some(*published), *target),
        [ip, published, target] => (
            Some(*ip),
            Some(*published).filter(|p| !p.is_empty()),
            *target,
        ),
        _ => return Err(format!("`{text}` is not `[HOST:]CONTAINER[/PROTOCOL]`")),
    };
    let loopback = host.is_some_and(is_loopback);
    let (t0, t1) = range(target)?;
    let published = published.map(range).transpose()?;
    let count = t1 - t0;
    if usize::from(count) >= MAX_RANGE {
        return Err(format!(
            "`{text}` maps {} ports; ECS tasks map at most {MAX_RANGE} here",
            usize::from(count) + 1
        ));
    }
    if let Some((p0, p1)) = published
        && p1 - p0 != count
        && p0 != p1
    {
        return Err(format!("`{text}` maps ranges of different lengths"));
    }
    Ok((0..=count)
        .map(|i| {
            let published = published.map(|(p0, p1)| if p0 == p1 { p0 } else { p0 + i });
            PortMapping {
                loopback,
                host_ip: host.map(String::from),
                ..mapping(t0 + i, published, proto)
            }
        })
        .collect())
}

fn int_port(value: &IntOrStr) -> Result<(u16, u16), String> {
    match value {
        IntOrStr::Int(i) => port_number(&i.to_string()).map(|p| (p, p)),
        IntOrStr::Str(s) => range(s),
    }
}

fn parse_long(long: &PortLong) -> Result<PortMapping, String> {
    let Some(target) = &long.target else {
        return Err("the long port syntax needs `target`".to_string());
    };
    let (target, target_end) = int_port(target)?;
    if target != target_end {
        return Err("`target` must be a single port in the long syntax".to_string());
    }
    let published = match &long.published {
        Some(p) => Some(int_port(p)?.0),
        None => None,
    };
    let mut m = mapping(
        target,
        published,
        protocol(long.protocol.as_deref().unwrap_or("tcp"))?,
    );
    m.app_protocol = long.app_protocol.as_ref().map(|p| p.to_ascii_lowercase());
    m.x_aws_protocol = long.x_aws_protocol.as_ref().map(|p| p.to_ascii_lowercase());
    m.name.clone_from(&long.name);
    m.certificate.clone_from(&long.x_aws_certificate);
    m.loopback = long.host_ip.as_deref().is_some_and(is_loopback);
    m.host_ip.clone_from(&long.host_ip);
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn short(text: &str) -> Result<Vec<(u16, Option<u16>, Protocol)>, String> {
        parse(&Port::Short(text.to_string())).map(|v| {
            v.into_iter()
                .map(|m| (m.target, m.published, m.protocol))
                .collect()
        })
    }

    #[test]
    fn short_syntax() {
        assert_eq!(short("80"), Ok(vec![(80, None, Protocol::Tcp)]));
        assert_eq!(short("8080:80"), Ok(vec![(80, Some(8080), Protocol::Tcp)]));
        assert_eq!(
            short("127.0.0.1:53:53/udp"),
            Ok(vec![(53, Some(53), Protocol::Udp)])
        );
        assert_eq!(
            short("[::1]:8080:80"),
            Ok(vec![(80, Some(8080), Protocol::Tcp)])
        );
        assert_eq!(short("127.0.0.1::80"), Ok(vec![(80, None, Protocol::Tcp)]));
        assert_eq!(
            short("3000-3001:4000-4001"),
            Ok(vec![
                (4000, Some(3000), Protocol::Tcp),
                (4001, Some(3001), Protocol::Tcp)
            ])
        );
        assert!(short("99999").is_err());
        let local = |t: &str| parse(&Port::Short(t.to_string())).unwrap()[0].loopback;
        assert!(local("127.0.0.1:8080:80"));
        assert!(local("[::1]:8080:80"));
        assert!(!local("0.0.0.0:8080:80"));
        assert!(!local("8080:80"));
        assert!(short("80/sctp").is_err());
        assert!(short("a:b").is_err());
        assert!(short("1:2:3:4").is_err());
    }

    #[test]
    fn http_detection() {
        let m = |published, target| mapping(target, published, Protocol::Tcp);
        assert!(m(Some(80), 8080).is_http());
        assert!(m(None, 80).is_http());
        assert!(!m(Some(443), 443).is_http());
        let mut grpc = m(Some(50051), 50051);
        grpc.app_protocol = Some("http".into());
        assert!(grpc.is_http());
    }
}
