//! Work spread over the machine's cores, with the same result as doing it in order.
//! A slice is cut into contiguous chunks, one per core, by count (a borrowed slice) or by
//! weight (items taken over), never smaller than the caller's minimum, so that a small
//! project stays on one thread; the calling thread takes the first chunk, scoped
//! threads the others, and the results come back in the slice's order. The output of the
//! compiler does not depend on how many cores ran it.
//!
//! `COMPOSE2CFN_THREADS` caps the number of threads (`1`: everything on the calling
//! thread); by default every core the process may use.

use std::sync::LazyLock;

/// Threads a job may use.
static THREADS: LazyLock<usize> = LazyLock::new(|| {
    std::env::var("COMPOSE2CFN_THREADS")
        .ok()
        .and_then(|n| n.trim().parse::<usize>().ok())
        .filter(|n| *n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from))
});

/// Services worth a thread of their own at the least, for per-service work (reading,
/// lowering, rewriting for a nested stack: each some 5–25 µs a service). A thread costs
/// more than its start: a heap of its own, on fresh pages, and a core that the schema's
/// compilation holds for the first few milliseconds. With 16, a 100-service run took 9%
/// longer on two threads than on one; with 128 it runs on one (and 1,000 services still
/// on two, as fast as before).
pub const MIN_SERVICES: usize = 128;

/// Threads a job may use.
#[must_use]
pub fn threads() -> usize {
    *THREADS
}

/// How many chunks `len` items make: one per thread, none shorter than `min_chunk`.
fn parts(len: usize, min_chunk: usize) -> usize {
    match len / min_chunk.max(1) {
        // One chunk needs no thread, nor the count of cores (which reads the cgroup's
        // quota: a dozen system calls a small project has no use for).
        0 | 1 => 1,
        full => full.min(*THREADS),
    }
}

/// `f` of each chunk, the first on the calling thread, the others on scoped threads; the
/// results in the chunks' order.
fn spread<C, R, F>(chunks: Vec<C>, f: &F) -> Vec<R>
where
    C: Send,
    R: Send,
    F: Fn(C) -> R + Sync,
{
    let mut chunks = chunks.into_iter();
    let Some(first) = chunks.next() else {
        return Vec::new();
    };
    std::thread::scope(|scope| {
        let others: Vec<_> = chunks.map(|chunk| scope.spawn(move || f(chunk))).collect();
        let mut results = Vec::with_capacity(others.len() + 1);
        results.push(f(first));
        results.extend(others.into_iter().map(|handle| match handle.join() {
            Ok(result) => result,
            Err(panic) => std::panic::resume_unwind(panic),
        }));
        results
    })
}

/// `f` over contiguous chunks of `items`, each at least `min_chunk` long (but for a
/// slice shorter than that), one per thread; the results in the chunks' order.
pub fn chunks<'a, T, R, F>(items: &'a [T], min_chunk: usize, f: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&'a [T]) -> R + Sync,
{
    let parts = parts(items.len(), min_chunk);
    if parts == 1 {
        return vec![f(items)];
    }
    spread(items.chunks(items.len().div_ceil(parts)).collect(), &f)
}

/// [`chunks`] of items `f` takes over, by weight: contiguous chunks of about equal total
/// `weight`, each worth at least `min_weight` (all in one when the whole is worth less
/// than two), one per thread; the results in the chunks' order.
pub fn chunks_weighed<T, R, F>(
    items: Vec<T>,
    weight: impl Fn(&T) -> usize,
    min_weight: usize,
    f: F,
) -> Vec<R>
where
    T: Send,
    R: Send,
    F: Fn(Vec<T>) -> R + Sync,
{
    let weights: Vec<usize> = items.iter().map(weight).collect();
    let total: usize = weights.iter().sum();
    let parts = parts(total, min_weight);
    if parts == 1 {
        return vec![f(items)];
    }
    let share = total.div_ceil(parts);
    let mut split: Vec<Vec<T>> = vec![Vec::new()];
    let mut weighed = 0;
    for (item, weight) in items.into_iter().zip(weights) {
        if weighed >= share && split.len() < parts {
            split.push(Vec::new());
            weighed = 0;
        }
        weighed += weight;
        if let Some(last) = split.last_mut() {
            last.push(item);
        }
    }
    spread(split, &f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_order_of_the_items() {
        let items: Vec<u32> = (0..10_000).collect();
        let squares: Vec<u64> = chunks(&items, 7, |chunk| {
            chunk
                .iter()
                .map(|n| u64::from(*n).pow(2))
                .collect::<Vec<_>>()
        })
        .concat();
        let expected: Vec<u64> = items.iter().map(|n| u64::from(*n).pow(2)).collect();
        assert_eq!(squares, expected);
    }

    #[test]
    fn chunks_cover_the_slice_once_and_respect_the_minimum() {
        let items: Vec<usize> = (0..1_001).collect();
        for min in [1, 2, 100, 500, 1_001, 5_000] {
            let parts = chunks(&items, min, <[usize]>::to_vec);
            assert_eq!(parts.concat(), items, "min {min}");
            if parts.len() > 1 {
                assert!(parts.iter().all(|p| p.len() >= min.min(items.len()) / 2));
            }
        }
    }

    #[test]
    fn weighed_chunks_keep_the_order_and_share_the_weight() {
        let items: Vec<usize> = (1..=100).collect();
        let parts = chunks_weighed(items.clone(), |n| *n, 50, |chunk| chunk);
        assert_eq!(parts.concat(), items);
        let weights: Vec<usize> = parts.iter().map(|p| p.iter().sum()).collect();
        assert!(
            parts.len() == 1 || weights.iter().all(|w| *w >= 50),
            "{weights:?}"
        );
        // Too light for two threads: one chunk.
        let light = chunks_weighed(vec![10, 500, 20], |n| *n, 300, |chunk| chunk);
        assert_eq!(light, vec![vec![10, 500, 20]]);
    }

    #[test]
    fn an_empty_slice_is_one_empty_chunk() {
        let none: [u8; 0] = [];
        assert_eq!(chunks(&none, 1, <[u8]>::len), vec![0]);
    }
}
