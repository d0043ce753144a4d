//! Where a URL that came from outside may lead. The CMS API hands the console article URLs and
//! callback URLs; fetched blindly, they would let any token holder reach the newsroom's own
//! network. Every address a request connects to (each DNS answer, each redirect hop) is checked
//! against the ranges no public site lives in, unless the desk opens one (`[serve]
//! allow_networks`); a desk may also name the only hosts such URLs may lead to (`[serve]
//! allow_hosts`). URLs written in pipeline files are the staff's and are not checked.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use ipnet::IpNet;

/// Redirect hops followed at most.
pub const MAX_REDIRECTS: usize = 5;

/// The networks a request from outside may reach beyond the public internet.
#[derive(Debug, Clone, Default)]
pub struct OutboundPolicy {
    allowed: Vec<IpNet>,
    /// When not empty, the only hosts a URL may name (`news.example`, `*.example`).
    hosts: Vec<String>,
}

/// A request refused by the policy: the address and the rule it broke.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{address} is {rule}, which URLs from the API may not reach ({remedy})")]
pub struct Refusal {
    pub address: String,
    pub rule: String,
    remedy: &'static str,
}

const OPEN_A_NETWORK: &str = "[serve] allow_networks opens a network";

impl OutboundPolicy {
    pub fn new(allowed: Vec<IpNet>) -> Self {
        OutboundPolicy { allowed, hosts: Vec::new() }
    }

    /// The policy a desk's `[serve]` sets for the URLs its API is given.
    pub fn of_desk(serve: &crate::config::ServeConfig) -> Self {
        OutboundPolicy::new(serve.allow_networks.clone()).with_hosts(serve.allow_hosts.clone())
    }

    /// The same, letting URLs name only `hosts` (none: any host).
    pub fn with_hosts(self, hosts: Vec<String>) -> Self {
        OutboundPolicy { hosts: hosts.into_iter().map(|h| h.to_ascii_lowercase()).collect(), ..self }
    }

    fn lists_host(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.hosts.is_empty()
            || self.hosts.iter().any(|allowed| match allowed.strip_prefix("*.") {
                Some(domain) => host.strip_suffix(domain).is_some_and(|sub| sub.ends_with('.') && sub.len() > 1),
                None => *allowed == host,
            })
    }

    /// Whether a request may connect to `ip`.
    pub fn check(&self, ip: IpAddr) -> Result<(), Refusal> {
        let canonical = canonical(ip);
        if self.allowed.iter().any(|net| net.contains(&ip) || net.contains(&canonical)) {
            return Ok(());
        }
        match special_range(ip) {
            Some(rule) => Err(Refusal { address: ip.to_string(), rule, remedy: OPEN_A_NETWORK }),
            None => Ok(()),
        }
    }

    /// What can be told from the URL alone: an http(s) URL whose host, when it is an address or
    /// a name that means this machine, may be reached. Names are checked once resolved.
    pub fn check_url(&self, url: &url::Url) -> Result<(), Refusal> {
        let host = url.host_str().unwrap_or_default();
        if !self.lists_host(host.trim_start_matches('[').trim_end_matches(']')) {
            return Err(Refusal {
                address: host.to_string(),
                rule: "a host [serve] allow_hosts does not list".to_string(),
                remedy: "it lists the hosts they may name",
            });
        }
        match url.host() {
            Some(url::Host::Ipv4(ip)) => self.check(IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => self.check(IpAddr::V6(ip)),
            Some(url::Host::Domain(name)) if names_this_machine(name) => self
                .check(IpAddr::V4(Ipv4Addr::LOCALHOST))
                .map_err(|refusal| Refusal { address: name.to_string(), ..refusal }),
            _ => Ok(()),
        }
    }

    /// A client that holds to the policy: names resolved by `lookup` and filtered, each redirect
    /// hop checked, no proxy (a proxy would connect where the policy cannot see).
    pub fn client_builder(self, lookup: Arc<dyn Lookup>) -> reqwest::ClientBuilder {
        let policy = Arc::new(self);
        let hops = policy.clone();
        let redirects = reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() > MAX_REDIRECTS {
                return attempt.error(TooManyRedirects);
            }
            if !matches!(attempt.url().scheme(), "http" | "https") {
                return attempt.stop();
            }
            match hops.check_url(attempt.url()) {
                Ok(()) => attempt.follow(),
                Err(refusal) => attempt.error(refusal),
            }
        });
        reqwest::Client::builder()
            .no_proxy()
            .redirect(redirects)
            .dns_resolver(Arc::new(GuardedResolver { policy, lookup }))
    }
}

/// The refusal somewhere in an error's causes, if the policy is why a request failed.
pub fn refusal_in<'e>(err: &'e (dyn std::error::Error + 'static)) -> Option<&'e Refusal> {
    let mut cause: Option<&'e (dyn std::error::Error + 'static)> = Some(err);
    while let Some(c) = cause {
        if let Some(refusal) = c.downcast_ref::<Refusal>() {
            return Some(refusal);
        }
        cause = c.source();
    }
    None
}

#[derive(Debug, thiserror::Error)]
#[error("more than {MAX_REDIRECTS} redirects")]
struct TooManyRedirects;

/// Turns a host name into addresses; the system's resolver, or a fixed table in tests.
#[async_trait::async_trait]
pub trait Lookup: Send + Sync {
    async fn lookup(&self, host: &str) -> std::io::Result<Vec<IpAddr>>;
}

/// The system's resolver (getaddrinfo), bounded in time.
pub struct SystemLookup;

#[async_trait::async_trait]
impl Lookup for SystemLookup {
    async fn lookup(&self, host: &str) -> std::io::Result<Vec<IpAddr>> {
        let lookup = tokio::net::lookup_host((host, 0));
        match tokio::time::timeout(Duration::from_secs(10), lookup).await {
            Ok(addresses) => Ok(addresses?.map(|a| a.ip()).collect()),
            Err(_) => Err(std::io::Error::new(std::io::ErrorKind::TimedOut, "the name did not resolve in 10 s")),
        }
    }
}

struct GuardedResolver {
    policy: Arc<OutboundPolicy>,
    lookup: Arc<dyn Lookup>,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let (policy, lookup) = (self.policy.clone(), self.lookup.clone());
        let host = name.as_str().to_string();
        Box::pin(async move {
            if names_this_machine(&host) {
                policy.check(IpAddr::V4(Ipv4Addr::LOCALHOST)).map_err(|r| Refusal { address: host.clone(), ..r })?;
            }
            let addresses = lookup.lookup(&host).await?;
            let mut refused = None;
            let mut allowed = Vec::new();
            for ip in addresses {
                match policy.check(ip) {
                    Ok(()) => allowed.push(SocketAddr::new(ip, 0)),
                    Err(refusal) => refused = refused.or(Some(refusal)),
                }
            }
            match (allowed.is_empty(), refused) {
                // A name that resolves partly inside is refused whole: the answer is the attacker's.
                (_, Some(refusal)) => {
                    Err(Box::new(Refusal { address: format!("{host} ({})", refusal.address), ..refusal }) as _)
                }
                (true, None) => Err(format!("{host} has no address").into()),
                (false, None) => Ok(Box::new(allowed.into_iter()) as reqwest::dns::Addrs),
            }
        })
    }
}

/// `localhost` and its subdomains always mean this machine (RFC 6761).
fn names_this_machine(name: &str) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost" || name.ends_with(".localhost")
}

/// IPv4-mapped and IPv4-compatible IPv6 addresses as the IPv4 address they reach.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match embedded_v4(v6) {
            Some((v4, _)) => IpAddr::V4(v4),
            None => ip,
        },
        v4 => v4,
    }
}

/// The IPv4 address inside an IPv6 form that carries one, and the form's name.
fn embedded_v4(ip: Ipv6Addr) -> Option<(Ipv4Addr, &'static str)> {
    let s = ip.segments();
    let o = ip.octets();
    let last = Ipv4Addr::new(o[12], o[13], o[14], o[15]);
    if s[..5] == [0; 5] && s[5] == 0xffff {
        return Some((last, "IPv4-mapped"));
    }
    if s[..6] == [0; 6] && !(s[6] == 0 && s[7] <= 1) {
        return Some((last, "IPv4-compatible"));
    }
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return Some((last, "NAT64"));
    }
    if s[0] == 0x2002 {
        return Some((Ipv4Addr::new(o[2], o[3], o[4], o[5]), "6to4"));
    }
    None
}

/// The name of the special-purpose range `ip` is in, if any (IANA's registries: addresses no
/// public site answers on).
fn special_range(ip: IpAddr) -> Option<String> {
    match ip {
        IpAddr::V4(v4) => special_v4(v4).map(str::to_string),
        IpAddr::V6(v6) => match embedded_v4(v6) {
            Some((v4, form)) => special_v4(v4).map(|rule| format!("the {form} form of {rule}")),
            None => special_v6(v6).map(str::to_string),
        },
    }
}

fn special_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    Some(match (a, b, c) {
        (0, ..) => "an unspecified (this-network) address",
        (127, ..) => "a loopback address",
        (10, ..) | (172, 16..=31, _) | (192, 168, _) => "a private address",
        (100, 64..=127, _) => "a shared (carrier-grade NAT) address",
        (169, 254, _) => "a link-local address",
        (192, 0, 0) => "an IETF protocol address",
        (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => "a documentation address",
        (198, 18..=19, _) => "a benchmarking address",
        (224..=239, ..) => "a multicast address",
        (240..=255, ..) => "a reserved address",
        _ => return None,
    })
}

fn special_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let s = ip.segments();
    Some(match s {
        [0, 0, 0, 0, 0, 0, 0, 0] => "an unspecified address",
        [0, 0, 0, 0, 0, 0, 0, 1] => "a loopback address",
        [0x64, 0xff9b, 1, ..] => "a local-use NAT64 address",
        [0x100, 0, 0, 0, ..] => "a discard-only address",
        [0x2001, 0, ..] => "a Teredo address",
        [0x2001, 0xdb8, ..] => "a documentation address",
        [x, ..] if x & 0xfff0 == 0x3ff0 => "a documentation address",
        [x, ..] if x & 0xfe00 == 0xfc00 => "a private (unique local) address",
        [x, ..] if x & 0xffc0 == 0xfe80 => "a link-local address",
        [x, ..] if x & 0xffc0 == 0xfec0 => "a site-local address",
        [x, ..] if x & 0xff00 == 0xff00 => "a multicast address",
        [0, ..] => "a reserved address",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(policy: &OutboundPolicy, url: &str) -> Result<(), String> {
        let url = url::Url::parse(url).unwrap();
        policy.check_url(&url).map_err(|r| r.rule)
    }

    #[test]
    fn every_spelling_of_an_inside_address_is_refused() {
        let policy = OutboundPolicy::default();
        for url in [
            "http://127.0.0.1:8080/",
            "http://127.1/",
            "http://2130706433/",
            "http://0x7f.0.0.1/",
            "http://0177.0.0.1/",
            "http://[::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::ffff:7f00:1]/",
            "http://[64:ff9b::10.0.0.1]/",
            "http://[2002:a00:1::]/",
            "http://localhost:5432/",
            "http://LOCALHOST./",
            "http://db.localhost/",
            "http://0.0.0.0/",
            "http://[::]/",
            "http://10.1.2.3/",
            "http://172.20.0.1/",
            "http://192.168.1.1/",
            "http://100.64.0.1/",
            "http://169.254.169.254/latest/meta-data/",
            "http://[fe80::1]/",
            "http://[fd00::1]/",
            "http://224.0.0.1/",
            "http://192.0.2.10/",
            "http://[2001:db8::1]/",
            "http://255.255.255.255/",
        ] {
            assert!(verdict(&policy, url).is_err(), "{url} is refused");
        }
    }

    #[test]
    fn public_addresses_and_names_pass_the_url_check() {
        let policy = OutboundPolicy::default();
        for url in [
            "https://93.184.215.14/",
            "http://[2606:4700::1111]/",
            "https://news.example/a",
            "http://[::ffff:8.8.8.8]/",
        ] {
            assert_eq!(verdict(&policy, url), Ok(()), "{url}");
        }
    }

    #[test]
    fn an_allowed_network_opens_exactly_itself() {
        let policy = OutboundPolicy::new(vec!["10.1.0.0/16".parse().unwrap()]);
        assert_eq!(verdict(&policy, "http://10.1.200.3/"), Ok(()));
        assert_eq!(verdict(&policy, "http://[::ffff:10.1.0.9]/"), Ok(()));
        assert_eq!(verdict(&policy, "http://10.2.0.1/").unwrap_err(), "a private address");
        assert_eq!(verdict(&policy, "http://127.0.0.1/").unwrap_err(), "a loopback address");
        assert_eq!(
            verdict(&policy, "http://[::ffff:127.0.0.1]/").unwrap_err(),
            "the IPv4-mapped form of a loopback address"
        );
    }

    #[test]
    fn listed_hosts_close_every_other_host() {
        let policy = OutboundPolicy::default().with_hosts(vec!["cms.example".into(), "*.news.example".into()]);
        for url in [
            "https://cms.example/a",
            "https://CMS.example./a",
            "https://www.news.example/a",
            "https://a.b.news.example/",
        ] {
            assert_eq!(verdict(&policy, url), Ok(()), "{url}");
        }
        for url in
            ["https://news.example/", "https://evilnews.example/", "https://cms.example.evil/", "http://93.184.215.14/"]
        {
            assert_eq!(verdict(&policy, url).unwrap_err(), "a host [serve] allow_hosts does not list", "{url}");
        }
    }

    #[test]
    fn the_refusal_names_the_rule_and_the_way_to_open_it() {
        let refusal = OutboundPolicy::default().check("169.254.169.254".parse().unwrap()).unwrap_err();
        assert_eq!(
            refusal.to_string(),
            "169.254.169.254 is a link-local address, which URLs from the API may not reach ([serve] allow_networks opens a network)"
        );
    }

    struct Table(Vec<IpAddr>);

    #[async_trait::async_trait]
    impl Lookup for Table {
        async fn lookup(&self, _: &str) -> std::io::Result<Vec<IpAddr>> {
            Ok(self.0.clone())
        }
    }

    #[tokio::test]
    async fn a_name_that_resolves_inside_is_refused_even_beside_a_public_address() {
        use reqwest::dns::Resolve;
        let policy = Arc::new(OutboundPolicy::default());
        let table = |ips: &[&str]| Arc::new(Table(ips.iter().map(|ip| ip.parse().unwrap()).collect()));
        let resolver = GuardedResolver { policy: policy.clone(), lookup: table(&["93.184.215.14", "10.0.0.5"]) };
        let err = resolver.resolve("news.example".parse().unwrap()).await.err().expect("refused");
        assert!(err.to_string().starts_with("news.example (10.0.0.5) is a private address"), "{err}");
        let resolver = GuardedResolver { policy, lookup: table(&["93.184.215.14"]) };
        let addresses: Vec<SocketAddr> =
            resolver.resolve("news.example".parse().unwrap()).await.ok().unwrap().collect();
        assert_eq!(addresses, vec!["93.184.215.14:0".parse().unwrap()]);
    }
}
