//! Generated Compose projects of any size, for the scale test and the benchmarks.

/// `n` services on 5 networks, sharing 4 volumes and 3 secrets, one in 100 publishing a
/// port (a load balancer has at most 50 listeners), one in 11 depending on the one before.
#[must_use]
pub(crate) fn mixed(n: usize) -> String {
    let mut text = String::from("name: scale\nservices:\n");
    for i in 0..n {
        text.push_str(&format!(
            "  svc{i:04}:\n    image: ghcr.io/example/svc:1.0\n    environment: {{INDEX: \"{i}\"}}\n    networks: [net{}]\n    healthcheck: {{test: [\"CMD\", \"true\"], interval: 30s}}\n",
            i % 5
        ));
        if i % 100 == 0 {
            text.push_str(&format!("    ports: [\"{}:8080\"]\n", 8000 + i / 100));
        }
        if i % 7 == 0 {
            text.push_str(&format!("    volumes: [\"data{}:/data\"]\n", i % 4));
        }
        if i % 5 == 0 {
            text.push_str(&format!("    secrets: [key{}]\n", i % 3));
        }
        if i % 11 == 1 {
            text.push_str(&format!("    depends_on: [svc{:04}]\n", i - 1));
        }
    }
    text.push_str("networks: {net0: {}, net1: {}, net2: {}, net3: {}, net4: {}}\n");
    text.push_str("volumes: {data0: {}, data1: {}, data2: {}, data3: {}}\n");
    text.push_str(
        "secrets: {key0: {environment: K0}, key1: {environment: K1}, key2: {environment: K2}}\n",
    );
    text
}
