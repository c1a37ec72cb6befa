//! The compiler never panics and never returns nothing without saying why: hostile inputs
//! and thousands of mutated Compose files either compile or get an error diagnostic.

use compose2cfn::load::{Input, Options};

trials![
    hostile_inputs_get_diagnostics,
    mutated_compose_files_never_panic,
    corpus_files_cut_short_never_panic
];

const SEED_FILE: &str = r#"
name: shop
x-defaults: &defaults
  image: busybox:1.36
  environment: {A: "1", B: "${B:-2}"}
services:
  web:
    <<: *defaults
    ports: ["80:8080", {target: 9000, published: 9000, app_protocol: http}]
    depends_on: {api: {condition: service_healthy}}
    healthcheck: {test: ["CMD", "true"], interval: 10s, retries: 3}
    deploy: {replicas: 2, resources: {limits: {cpus: "0.5", memory: 1G}}}
  api:
    <<: *defaults
    command: sh -c "echo 'hi' && sleep 1"
    networks: [back]
    ulimits: {nofile: {soft: 1024, hard: 2048}}
networks:
  back: {}
"#;

/// Checks the invariant for one input; panics (failing the test) only if it is broken.
fn check(bytes: &[u8]) {
    let options = Options {
        working_dir: std::env::temp_dir(),
        ..Options::default()
    };
    let input = Input::Stdin(bytes.to_vec());
    let result =
        std::panic::catch_unwind(|| compose2cfn::compile(std::slice::from_ref(&input), &options));
    let text = String::from_utf8_lossy(bytes);
    let compilation = result
        .unwrap_or_else(|_| panic!("panicked on:\n{text}"))
        .unwrap();
    assert!(
        compilation.template.is_some() || compilation.has_errors(),
        "no template and no error for:\n{text}"
    );
    let _ = compose2cfn::diag::render::render(
        &compilation.diagnostics,
        &compilation.sources,
        compose2cfn::diag::render::MessageFormat::Human,
        false,
    );
}

fn hostile_inputs_get_diagnostics() {
    let deep = format!("a: {}{}", "[".repeat(5000), "]".repeat(5000));
    let bomb = {
        let mut t = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            t.push_str(&format!("a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n", p = i - 1));
        }
        t
    };
    let inputs: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"\x00\xff\xfe garbage \x80".to_vec(),
        b"---\n---\n".to_vec(),
        b"[1, 2, 3]".to_vec(),
        b"services: 42".to_vec(),
        b"services:\n  \"\": {image: x}\n".to_vec(),
        b"services:\n  web:\n\timage: x\n".to_vec(),
        b"? [a, b]\n: c\n".to_vec(),
        b"services: {web: {image: x, deploy: {replicas: 99999999999999999999999}}}".to_vec(),
        b"services: {web: {image: x, ports: [\"1-65535:1-65535\"]}}".to_vec(),
        b"services: {web: {image: x, ports: [-1, 1.5, 0]}}".to_vec(),
        b"services: {web: {image: x, stop_grace_period: 99999999999h}}".to_vec(),
        b"services: {web: {image: x, healthcheck: {test: []}}}".to_vec(),
        b"services: {web: {image: x, environment: [\"=\", \"==\"]}}".to_vec(),
        b"services: {web: {image: \"${\"}}".to_vec(),
        b"services: {web: {image: \"${A:-${B:-${C:-${D}}}}\"}}".to_vec(),
        b"services: {web: {image: x, depends_on: [web]}}".to_vec(),
        b"services: {\"-\": {image: x}, \"_\": {image: y}}".to_vec(),
        b"*unknown".to_vec(),
        b"a: &x 1\nb: *y\n".to_vec(),
        b"<<: 5\n".to_vec(),
        "services:\n  caf\u{e9}:\n    image: \u{1f600}\n"
            .as_bytes()
            .to_vec(),
        deep.into_bytes(),
        bomb.into_bytes(),
    ];
    for input in &inputs {
        check(input);
    }
}

/// A small deterministic generator (no dependency needed for this).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next()).unwrap() % n.max(1)
    }
}

fn mutated_compose_files_never_panic() {
    let seed = SEED_FILE.as_bytes();
    let alphabet = b" :-[]{}\"'&*<>#$!|\n\t0123456789abcxyz.,?%@`\\";
    let mut rng = Lcg(0x2545_f491_4f6c_dd1d);
    for _ in 0..3000 {
        let mut bytes = seed.to_vec();
        for _ in 0..=rng.below(4) {
            let at = rng.below(bytes.len());
            match rng.below(3) {
                0 => bytes[at] = alphabet[rng.below(alphabet.len())],
                1 => {
                    bytes.remove(at);
                }
                _ => bytes.insert(at, alphabet[rng.below(alphabet.len())]),
            }
        }
        check(&bytes);
    }
}

fn corpus_files_cut_short_never_panic() {
    for dir in crate::support::corpus().unwrap_or_default() {
        let bytes = std::fs::read(dir.join("compose.yaml")).unwrap();
        for cut in (0..bytes.len()).step_by((bytes.len() / 7).max(1)) {
            check(&bytes[..cut]);
        }
    }
}
