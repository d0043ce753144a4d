//! Requests shared across articles. While a backend's request slots are busy, the segments that
//! other articles want in the same language pair wait together and leave in one request (within
//! the backend's limits), so sixty short articles take a handful of requests, not sixty. An
//! article that finds a slot free is sent at once: batching never waits for company.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Mutex;

use tokio::sync::{oneshot, Semaphore};

use super::saas::{self, RequestLimits};
use super::{verify, Backend, TranslateError};

type Answer = Result<Vec<String>, TranslateError>;

struct Job {
    segments: Vec<String>,
    answer: oneshot::Sender<Answer>,
}

/// One backend's request slots and the segments waiting for them, per language pair.
pub struct Coalescer {
    slots: Semaphore,
    waiting: Mutex<HashMap<(String, String), VecDeque<Job>>>,
    usage: Mutex<BTreeMap<(String, String), PairUsage>>,
}

/// What one pair asked of the backend.
#[derive(Debug, Clone, Copy, Default)]
struct PairUsage {
    requests: usize,
    segments: usize,
    bytes: usize,
}

/// Requests a backend was sent in a run, and the fewest its request limits allow for the same
/// segments (one pair never shares a request with another).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct RequestCount {
    pub requests: usize,
    pub minimum: usize,
}

impl Coalescer {
    pub fn new(concurrency: usize) -> Self {
        Coalescer {
            slots: Semaphore::new(concurrency.max(1)),
            waiting: Mutex::new(HashMap::new()),
            usage: Mutex::new(BTreeMap::new()),
        }
    }

    /// Translates segments through the backend, in a request of their own or shared with other
    /// articles' segments of the same pair; every answer is verified.
    pub async fn translate(
        &self,
        backend: &dyn Backend,
        from: &str,
        to: &str,
        segments: Vec<String>,
    ) -> Result<Vec<String>, TranslateError> {
        let pair = (from.to_string(), to.to_string());
        let (answer, mut answered) = oneshot::channel();
        self.waiting.lock().expect("queue lock").entry(pair.clone()).or_default().push_back(Job { segments, answer });
        loop {
            tokio::select! {
                biased;
                result = &mut answered => return result.expect("every job is answered"),
                permit = self.slots.acquire() => {
                    let _permit = permit.expect("the semaphore is never closed");
                    let jobs = self.take(&pair, backend.limits());
                    if jobs.is_empty() {
                        // Another article's request carries ours.
                        drop(_permit);
                        return answered.await.expect("every job is answered");
                    }
                    self.send(backend, &pair, jobs).await;
                }
            }
        }
    }

    /// The jobs at the front of a pair's queue that fit one request, at least one.
    fn take(&self, pair: &(String, String), limits: RequestLimits) -> Vec<Job> {
        let mut waiting = self.waiting.lock().expect("queue lock");
        let Some(queue) = waiting.get_mut(pair) else { return Vec::new() };
        let (mut segments, mut bytes) = (0, 0);
        let mut jobs = Vec::new();
        while let Some(job) = queue.front() {
            let job_bytes: usize = job.segments.iter().map(String::len).sum();
            let fits = segments + job.segments.len() <= limits.max_segments && bytes + job_bytes <= limits.max_bytes;
            if !jobs.is_empty() && !fits {
                break;
            }
            segments += job.segments.len();
            bytes += job_bytes;
            jobs.push(queue.pop_front().expect("a front job"));
        }
        jobs
    }

    /// Sends the jobs' segments together and answers each job. A verification failure of a
    /// shared request is tried again job by job, so one article's bad answer fails it alone.
    async fn send(&self, backend: &dyn Backend, pair: &(String, String), jobs: Vec<Job>) {
        let together: Vec<String> = jobs.iter().flat_map(|j| j.segments.iter().cloned()).collect();
        match self.request(backend, pair, &together).await {
            Ok(mut translated) => {
                for job in jobs {
                    let rest = translated.split_off(job.segments.len());
                    let _ = job.answer.send(Ok(std::mem::replace(&mut translated, rest)));
                }
            }
            Err(TranslateError::Verification { .. }) if jobs.len() > 1 => {
                for job in jobs {
                    let answer = self.request(backend, pair, &job.segments).await;
                    let _ = job.answer.send(answer);
                }
            }
            Err(err) => {
                for job in jobs {
                    let _ = job.answer.send(Err(err.clone()));
                }
            }
        }
    }

    /// Counts the requests these segments would take, as a dry run does instead of sending them.
    pub fn count_unsent(&self, backend: &dyn Backend, from: &str, to: &str, segments: &[String]) {
        let batches = saas::batches(segments, backend.limits());
        self.counted(&(from.to_string(), to.to_string()), batches.len(), segments);
    }

    fn counted(&self, pair: &(String, String), requests: usize, segments: &[String]) {
        let mut usage = self.usage.lock().expect("usage lock");
        let used = usage.entry(pair.clone()).or_default();
        used.requests += requests;
        used.segments += segments.len();
        used.bytes += segments.iter().map(String::len).sum::<usize>();
    }

    /// Segments in as few requests as the backend's limits allow, all at once.
    async fn request(&self, backend: &dyn Backend, pair: &(String, String), segments: &[String]) -> Answer {
        let (from, to) = (pair.0.as_str(), pair.1.as_str());
        let batches = saas::batches(segments, backend.limits());
        self.counted(pair, batches.len(), segments);
        let answers =
            futures::future::join_all(
                batches.iter().map(|range| {
                    let batch = &segments[range.clone()];
                    async move {
                        backend.translate(from, to, batch).await.and_then(|got| verify(backend.name(), batch, got))
                    }
                }),
            )
            .await;
        let mut out = Vec::with_capacity(segments.len());
        for answer in answers {
            out.extend(answer?);
        }
        Ok(out)
    }

    /// Requests made so far, and the fewest that would have done.
    pub fn count(&self, limits: RequestLimits) -> RequestCount {
        let usage = self.usage.lock().expect("usage lock");
        usage.values().fold(RequestCount::default(), |total, used| {
            let by_segments = used.segments.div_ceil(limits.max_segments.max(1));
            let by_bytes = used.bytes.div_ceil(limits.max_bytes.max(1));
            RequestCount {
                requests: total.requests + used.requests,
                minimum: total.minimum + by_segments.max(by_bytes),
            }
        })
    }
}
