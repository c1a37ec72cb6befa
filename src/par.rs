//! Work spread over the machine's cores, with the same result as doing it in order.
//! A slice is cut into contiguous chunks, one per core (never smaller than the caller's
//! minimum, so that a small project stays on one thread); the calling thread takes the
//! first chunk, scoped threads the others, and the results come back in the slice's
//! order. The output of the compiler does not depend on how many cores ran it.
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

/// `f` over contiguous chunks of `items`, each at least `min_chunk` long (but for a
/// slice shorter than that), one per thread; the results in the chunks' order.
pub fn chunks<T, R, F>(items: &[T], min_chunk: usize, f: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&[T]) -> R + Sync,
{
    let parts = (items.len() / min_chunk.max(1)).clamp(1, *THREADS);
    if parts == 1 {
        return vec![f(items)];
    }
    let size = items.len().div_ceil(parts);
    let mut pieces = items.chunks(size);
    let first = pieces.next().unwrap_or_default();
    std::thread::scope(|scope| {
        let f = &f;
        let others: Vec<_> = pieces.map(|chunk| scope.spawn(move || f(chunk))).collect();
        let mut results = Vec::with_capacity(others.len() + 1);
        results.push(f(first));
        results.extend(others.into_iter().map(|handle| match handle.join() {
            Ok(result) => result,
            Err(panic) => std::panic::resume_unwind(panic),
        }));
        results
    })
}

/// `f` of each item, in order, spread over the threads in chunks of at least
/// `min_chunk` items.
pub fn map<T, R, F>(items: &[T], min_chunk: usize, f: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync,
{
    let mut out = Vec::with_capacity(items.len());
    for part in chunks(items, min_chunk, |chunk| {
        chunk.iter().map(&f).collect::<Vec<R>>()
    }) {
        out.extend(part);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_order_of_the_items() {
        let items: Vec<u32> = (0..10_000).collect();
        let squares = map(&items, 7, |n| u64::from(*n) * u64::from(*n));
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
    fn an_empty_slice_is_one_empty_chunk() {
        let none: [u8; 0] = [];
        assert_eq!(chunks(&none, 1, <[u8]>::len), vec![0]);
        assert!(map(&none, 1, |b| *b).is_empty());
    }
}
