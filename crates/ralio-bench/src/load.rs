//! A closed-loop load generator: `clients` tasks each send one request at a time for a fixed
//! duration; latencies go into one HDR histogram.

use hdrhistogram::Histogram;
use std::future::Future;
use std::time::{Duration, Instant};

/// What a load run measured.
pub struct Report {
    pub requests: u64,
    pub errors: u64,
    pub elapsed: Duration,
    pub latency_us: Histogram<u64>,
}

impl Report {
    pub fn throughput(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    pub fn print(&self, label: &str) {
        println!(
            "{label:<40} {:>10.0} req/s  p50 {:>7} µs  p99 {:>7} µs  max {:>7} µs  ({} requests, {} errors, {:.1} s)",
            self.throughput(),
            self.latency_us.value_at_quantile(0.50),
            self.latency_us.value_at_quantile(0.99),
            self.latency_us.max(),
            self.requests,
            self.errors,
            self.elapsed.as_secs_f64(),
        );
    }
}

/// Runs `call` from `clients` concurrent loops for `duration` and reports. `call` returns
/// whether the request succeeded; failures are counted and also recorded in the latencies.
pub async fn run<F, Fut>(clients: usize, duration: Duration, call: F) -> anyhow::Result<Report>
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: Future<Output = bool> + Send,
{
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::with_capacity(clients);
    for _ in 0..clients {
        let call = call.clone();
        tasks.push(tokio::spawn(async move {
            let mut histogram = latency_histogram()?;
            let (mut requests, mut errors) = (0u64, 0u64);
            while Instant::now() < deadline {
                let sent = Instant::now();
                let ok = call().await;
                histogram.saturating_record(sent.elapsed().as_micros() as u64);
                requests += 1;
                errors += u64::from(!ok);
            }
            anyhow::Ok((histogram, requests, errors))
        }));
    }
    let mut report = Report {
        requests: 0,
        errors: 0,
        elapsed: Duration::ZERO,
        latency_us: latency_histogram()?,
    };
    for task in tasks {
        let (histogram, requests, errors) = task.await??;
        report.latency_us.add(&histogram)?;
        report.requests += requests;
        report.errors += errors;
    }
    report.elapsed = started.elapsed();
    Ok(report)
}

/// Microsecond latencies from 1 µs to one minute, three significant figures.
fn latency_histogram() -> anyhow::Result<Histogram<u64>> {
    Ok(Histogram::new_with_bounds(1, 60_000_000, 3)?)
}
