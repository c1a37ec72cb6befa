//! How the binary's heap is backed by the kernel: small pages for small projects, where
//! the footprint matters most, and transparent huge pages for large ones, where the time
//! spent faulting in fresh 4 KiB pages one by one does.
//!
//! The allocator (mimalloc) asks for transparent huge pages on the memory it reserves;
//! [`manage`] turns them off for the process as soon as the binary starts, and
//! [`expect_services`] turns them back on once a project is known to be large. The kernel
//! reads the switch at each page fault, so it applies to every page touched after it.
//! Measured on a 2-core machine: a 1,000-service run takes ~3,600 page faults instead of
//! ~8,900 and 16% less time (88 → 74 ms), for 40% more resident memory (44 → 62 MB); a
//! 100-service run would go from 15 to 30 MB, which is why small projects keep small pages.
//! The pages touched before `main` (the allocator's first) are huge either way: ~2 MB
//! more for every run.
//!
//! Only the binary manages memory: a library user's process is left as it was. Off Linux
//! nothing is done. The output never depends on any of this.

use std::sync::atomic::{AtomicBool, Ordering};

/// Services from which a project is compiled on huge pages: twice the size where a run
/// takes a quarter of its time in page faults, and past the 100-service footprint target.
pub const LARGE_PROJECT: usize = 250;

/// Whether the process is the binary's, which decides how its memory is backed.
static MANAGED: AtomicBool = AtomicBool::new(false);

/// Takes charge of the process's memory: small pages until [`expect_services`] learns of a
/// large project. For the binary only, called first thing.
pub fn manage() {
    if huge_pages(false) {
        MANAGED.store(true, Ordering::Relaxed);
    }
}

/// Tells how many services the project has: huge pages from here on when it is large and
/// the process is managed.
pub fn expect_services(count: usize) {
    if count >= LARGE_PROJECT && MANAGED.load(Ordering::Relaxed) {
        huge_pages(true);
    }
}

/// Allows or disallows transparent huge pages for the process; whether the kernel took it.
#[cfg(target_os = "linux")]
fn huge_pages(allow: bool) -> bool {
    rustix::thread::disable_transparent_huge_pages(!allow).is_ok()
}

#[cfg(not(target_os = "linux"))]
fn huge_pages(_allow: bool) -> bool {
    false
}
