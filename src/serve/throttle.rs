//! How fast one client may try: logins per address and name and per address, article
//! submissions per token. Each limiter forgets the keys it no longer holds back and keeps a
//! fixed number at most, so a flood of new names or addresses costs bounded memory. Behind a
//! proxy the client is the one the trusted proxies name in `X-Forwarded-For`.

use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue};
use governor::clock::{Clock, DefaultClock};
use ipnet::IpNet;

/// Keys a limiter holds at most; past that, new keys wait until old ones are forgotten.
pub const MAX_KEYS: usize = 100_000;
/// Stale keys are pruned once every so many checks.
const PRUNE_EVERY: usize = 1024;

/// A rate per key, over a bounded set of keys.
pub struct Throttle<K: Hash + Eq + Clone> {
    limiter: governor::DefaultKeyedRateLimiter<K>,
    checks: AtomicUsize,
    max_keys: usize,
}

impl<K: Hash + Eq + Clone> Throttle<K> {
    pub fn per_minute(count: u32) -> Self {
        Self::with_capacity(count, MAX_KEYS)
    }

    fn with_capacity(count: u32, max_keys: usize) -> Self {
        let quota = governor::Quota::per_minute(NonZeroU32::new(count.max(1)).expect("at least one"));
        Throttle { limiter: governor::RateLimiter::keyed(quota), checks: AtomicUsize::new(0), max_keys }
    }

    /// Ok, or how long the key must wait.
    pub fn check(&self, key: &K) -> Result<(), Duration> {
        let full = self.limiter.len() >= self.max_keys;
        if full || self.checks.fetch_add(1, Ordering::Relaxed).is_multiple_of(PRUNE_EVERY) {
            self.limiter.retain_recent();
            self.limiter.shrink_to_fit();
            if self.limiter.len() >= self.max_keys {
                return Err(Duration::from_secs(60));
            }
        }
        self.limiter.check_key(key).map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }

    /// Keys held now.
    pub fn len(&self) -> usize {
        self.limiter.len()
    }
}

/// `Retry-After`'s value: whole seconds, at least one.
pub fn retry_after(wait: Duration) -> HeaderValue {
    HeaderValue::from(wait.as_secs_f64().ceil().max(1.0) as u64)
}

/// The client a request comes from: the peer, or when the peer is a trusted proxy, the nearest
/// address in `X-Forwarded-For` that is not one (what a client writes there itself is ignored).
pub fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        match hop.parse::<IpAddr>() {
            Ok(ip) => {
                client = ip;
                if !is_trusted(&ip) {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flood_of_new_keys_keeps_the_limiter_bounded() {
        let throttle: Throttle<String> = Throttle::with_capacity(10, 1000);
        let mut refused = 0;
        for i in 0..5000 {
            refused += usize::from(throttle.check(&format!("name-{i}")).is_err());
        }
        assert!(throttle.len() <= 1000, "{} keys held", throttle.len());
        assert!(refused >= 4000, "new keys wait once it is full: {refused}");
    }

    #[test]
    fn each_key_has_its_own_rate() {
        let throttle: Throttle<&str> = Throttle::per_minute(3);
        for _ in 0..3 {
            assert!(throttle.check(&"a").is_ok());
        }
        let wait = throttle.check(&"a").unwrap_err();
        assert!(wait > Duration::from_secs(1) && wait <= Duration::from_secs(20), "{wait:?}");
        assert_eq!(retry_after(wait).to_str().unwrap(), (wait.as_secs() + 1).to_string());
        assert!(throttle.check(&"b").is_ok());
    }

    #[test]
    fn forwarded_addresses_are_believed_only_from_trusted_proxies() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", "1.2.3.4, 203.0.113.9, 10.0.0.7".parse().unwrap());
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert_eq!(client_address(ip("10.0.0.2"), &headers, &trusted), ip("203.0.113.9"), "the first untrusted hop");
        assert_eq!(client_address(ip("198.51.100.1"), &headers, &trusted), ip("198.51.100.1"), "not a proxy of ours");
        assert_eq!(client_address(ip("10.0.0.2"), &HeaderMap::new(), &trusted), ip("10.0.0.2"));
        headers.insert("x-forwarded-for", "garbage, 10.0.0.7".parse().unwrap());
        assert_eq!(client_address(ip("10.0.0.2"), &headers, &trusted), ip("10.0.0.7"));
    }
}
