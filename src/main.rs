//! The `compose2cfn` binary: nothing but the allocator and [`compose2cfn::cli::main`].

/// mimalloc: a run allocates and frees hundreds of thousands of small strings and maps;
/// glibc's allocator took a fifth of the time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    compose2cfn::cli::main()
}
