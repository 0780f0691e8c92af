//! Wall time of the loader's phases, for `-v`: where a slow review spends its time.

use std::time::{Duration, Instant};

/// Phases in the order they ended, each with the wall time since the previous one ended.
pub(crate) struct Phases {
    last: Instant,
    done: Vec<(&'static str, Duration)>,
}

impl Phases {
    pub(crate) fn start() -> Phases {
        Phases {
            last: Instant::now(),
            done: Vec::new(),
        }
    }

    /// The phase `name` ended now.
    pub(crate) fn mark(&mut self, name: &'static str) {
        let now = Instant::now();
        self.done.push((name, now - self.last));
        self.last = now;
    }

    /// One line for the log: `load took 1.84 s: cargo metadata 1.18 s, ...`.
    pub(crate) fn line(&self) -> String {
        let total: Duration = self.done.iter().map(|(_, d)| *d).sum();
        let parts: Vec<String> = self
            .done
            .iter()
            .map(|(name, d)| format!("{name} {:.2} s", d.as_secs_f64()))
            .collect();
        format!(
            "loading took {:.2} s: {}",
            total.as_secs_f64(),
            parts.join(", ")
        )
    }
}
