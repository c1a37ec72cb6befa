//! The documentation of every diagnostic code: what it checks, why ECS or CloudFormation
//! cares, a failing example and its fix. `compose2cfn explain CODE` prints one entry,
//! `docs/diagnostics.md` is generated from all of them (a test keeps it current), and a
//! test compiles every example and every fix to prove that the example shows the code and
//! the fix cures it.

use std::fmt::Write as _;

use super::Code;

/// One code's documentation.
#[derive(Clone, Copy, Debug)]
pub struct Doc {
    /// What the code checks.
    pub what: &'static str,
    /// Why ECS, CloudFormation or Compose cares.
    pub why: &'static str,
    /// A `compose.yaml` that gets the code.
    pub example: &'static str,
    /// The same file, fixed.
    pub fix: &'static str,
    /// Other files the example and the fix need beside `compose.yaml`: (name, text).
    pub files: &'static [(&'static str, &'static str)],
    /// Whether the example really gets the code (a test compiles it); `false` only where
    /// the input would be too large to print.
    pub checked: bool,
}

/// Sixteen services (the example of `W0405`).
const NEEDS_S3: &str = "x-service: &service\n  image: nginx:1.27\nservices:\n  s01: *service\n  s02: *service\n  s03: *service\n  s04: *service\n  s05: *service\n  s06: *service\n  s07: *service\n  s08: *service\n  s09: *service\n  s10: *service\n  s11: *service\n  s12: *service\n  s13: *service\n  s14: *service\n  s15: *service\n  s16: *service\n";

const fn doc(
    what: &'static str,
    why: &'static str,
    example: &'static str,
    fix: &'static str,
) -> Doc {
    Doc {
        what,
        why,
        example,
        fix,
        files: &[],
        checked: true,
    }
}

/// The documentation of `code`.
#[must_use]
#[allow(clippy::too_many_lines)] // one arm per code: the table itself
pub fn lookup(code: Code) -> Doc {
    match code {
        Code::Io => doc(
            "A file the project names cannot be read: an `env_file`, an `include`d or extended Compose file, or an `--env-file`.",
            "compose2cfn reads every file at compile time and deploys what it read; a missing file would silently change the containers' environment or services.",
            "services:\n  web:\n    image: nginx:1.27\n    env_file: web.env\n",
            "services:\n  web:\n    image: nginx:1.27\n    env_file:\n      - path: web.env\n        required: false\n",
        ),
        Code::YamlSyntax => doc(
            "The file is not valid YAML (or not UTF-8 text).",
            "Nothing can be compiled from a document that does not parse; the position is where the parser gave up.",
            "services:\n  web:\n    image: nginx:1.27\n   ports: [\"80:80\"]\n",
            "services:\n  web:\n    image: nginx:1.27\n    ports: [\"80:80\"]\n",
        ),
        Code::DuplicateKey => doc(
            "A mapping defines the same key twice.",
            "YAML forbids it and Docker Compose v2 rejects it; loaders that accept it keep one value silently, so the file would mean different things to different tools.",
            "services:\n  web:\n    image: nginx:1.27\n    image: httpd:2.4\n",
            "services:\n  web:\n    image: httpd:2.4\n",
        ),
        Code::YamlLimit => doc(
            "The document nests deeper than 128 levels, expands aliases into more than 250,000 nodes, or is larger than 32 MiB.",
            "A few lines of anchors and aliases can expand into billions of nodes (the \"billion laughs\"); the limits keep a compile fast and bounded on any input.",
            "x-a: &a [x, x, x, x, x, x, x, x, x, x]\nx-b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nx-c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nx-d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\nx-e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nx-f: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\nservices:\n  web:\n    image: nginx:1.27\n",
            "x-a: &a [x, x, x, x, x, x, x, x, x, x]\nservices:\n  web:\n    image: nginx:1.27\n",
        ),
        Code::InterpolationSyntax => doc(
            "A `$` expression is malformed: an unclosed `${`, a `$` not followed by a name, or an unknown operator.",
            "Docker Compose refuses such files; guessing what was meant could deploy a wrong image or value.",
            "services:\n  web:\n    image: nginx:${TAG\n",
            "services:\n  web:\n    image: nginx:${TAG:-1.27}\n",
        ),
        Code::RequiredVariable => doc(
            "A `${VAR:?message}` or `${VAR?message}` variable is not set (or empty, for `:?`).",
            "The file says the value is required; compiling with an empty one would deploy something the author ruled out.",
            "services:\n  web:\n    image: nginx:${TAG:?set TAG to the release}\n",
            "services:\n  web:\n    image: nginx:${TAG:-1.27}\n",
        ),
        Code::NotAMapping => doc(
            "The Compose document is empty, or not a mapping.",
            "A Compose file is a mapping with a `services` key; anything else describes no application.",
            "- web\n- db\n",
            "services:\n  web:\n    image: nginx:1.27\n",
        ),
        Code::InvalidMergeKey => doc(
            "A `<<` merge key refers to something other than a mapping (or a list of mappings).",
            "YAML merge keys only merge mappings; anything else is an error in every YAML loader that supports them.",
            "x-base: &base [nginx]\nservices:\n  web:\n    <<: *base\n    image: nginx:1.27\n",
            "x-base: &base\n  restart: always\nservices:\n  web:\n    <<: *base\n    image: nginx:1.27\n",
        ),
        Code::EnvFileSyntax => Doc {
            files: &[("web.env", "GREETING=hello\nNOT A VARIABLE\n")],
            ..doc(
                "A line of an env file (`.env`, `env_file`, `--env-file`) is malformed.",
                "Compose rejects the file; skipping the line would drop a variable the container expects.",
                "services:\n  web:\n    image: nginx:1.27\n    env_file: web.env\n",
                "services:\n  web:\n    image: nginx:1.27\n    environment:\n      GREETING: hello\n",
            )
        },
        Code::MergeConflict => doc(
            "Two files (or a service and the base it `extends`) give a key values that cannot be merged: a mapping and a list or a scalar.",
            "Compose merges override files key by key and refuses to merge values of different kinds; the result would be ambiguous.",
            "services:\n  base:\n    image: nginx:1.27\n    deploy:\n      replicas: 2\n  web:\n    extends: base\n    deploy: [3]\n",
            "services:\n  base:\n    image: nginx:1.27\n    deploy:\n      replicas: 2\n  web:\n    extends: base\n    deploy:\n      replicas: 3\n",
        ),
        Code::ExtendsCycle => doc(
            "Services extend each other in a cycle.",
            "A service built on itself has no first definition; Compose refuses the file.",
            "services:\n  web:\n    extends: api\n    image: nginx:1.27\n  api:\n    extends: web\n",
            "services:\n  web:\n    extends: api\n  api:\n    image: nginx:1.27\n",
        ),
        Code::IncludeCycle => doc(
            "Compose files include each other (or themselves) in a cycle.",
            "Loading would never end; Compose refuses the file.",
            "include:\n  - compose.yaml\nservices:\n  web:\n    image: nginx:1.27\n",
            "services:\n  web:\n    image: nginx:1.27\n",
        ),
        Code::UnknownExtends => doc(
            "`extends` names a service the file (or the file given with `file:`) does not define.",
            "Without its base the service is incomplete; Compose refuses the file.",
            "services:\n  base:\n    image: nginx:1.27\n  web:\n    extends: bsae\n",
            "services:\n  base:\n    image: nginx:1.27\n  web:\n    extends: base\n",
        ),
        Code::IncludeConflict => Doc {
            files: &[("db.yaml", "services:\n  db:\n    image: postgres:16\n")],
            ..doc(
                "An included file defines a service, network, volume, secret or config that the including project defines differently.",
                "Compose imports included resources as they are and refuses to pick one of two definitions; change an included resource with an override file instead.",
                "include:\n  - db.yaml\nservices:\n  db:\n    image: postgres:15\n",
                "include:\n  - db.yaml\nservices:\n  web:\n    image: nginx:1.27\n    depends_on: [db]\n",
            )
        },
        Code::UnsetVariable => doc(
            "A variable is used but not set, so it interpolates to an empty string.",
            "An empty image tag, port or password is rarely what the author meant; Compose warns too.",
            "services:\n  web:\n    image: nginx:${TAG}\n",
            "services:\n  web:\n    image: nginx:${TAG:-1.27}\n",
        ),
        Code::UnknownKey => doc(
            "A key is not part of the Compose specification where it is written.",
            "Compose rejects unknown keys; a misspelt key would otherwise be ignored and its setting lost. Extensions start with `x-`.",
            "services:\n  web:\n    imgae: nginx:1.27\n",
            "services:\n  web:\n    image: nginx:1.27\n",
        ),
        Code::WrongType => doc(
            "A value has the wrong type for its key (a string where a list is expected, say).",
            "The Compose schema fixes each key's type; a value of another type has no defined meaning.",
            "services:\n  web:\n    image: nginx:1.27\n    ports: \"80:80\"\n",
            "services:\n  web:\n    image: nginx:1.27\n    ports: [\"80:80\"]\n",
        ),
        Code::InvalidValue => doc(
            "A value is outside what Compose accepts for its key: not one of the allowed words, out of range, or inconsistent with another value.",
            "Compose rejects such values; ECS would get a setting that means nothing.",
            "services:\n  web:\n    image: nginx:1.27\n    depends_on:\n      db:\n        condition: when_ready\n  db:\n    image: postgres:16\n",
            "services:\n  web:\n    image: nginx:1.27\n    depends_on:\n      db:\n        condition: service_healthy\n  db:\n    image: postgres:16\n    healthcheck:\n      test: [\"CMD\", \"pg_isready\"]\n",
        ),
        Code::MissingKey => doc(
            "A key the Compose schema requires is missing.",
            "Without it the object is incomplete (an `extends` without the service to extend, say).",
            "services:\n  base:\n    image: nginx:1.27\n  web:\n    extends:\n      file: compose.yaml\n",
            "services:\n  base:\n    image: nginx:1.27\n  web:\n    extends:\n      file: compose.yaml\n      service: base\n",
        ),
        Code::InvalidPort => doc(
            "A port mapping cannot be parsed: not a number, out of 1-65535, a range of the wrong length, or a long form without `target`.",
            "Ports become listeners, target groups and security-group rules; a malformed one cannot be placed.",
            "services:\n  web:\n    image: nginx:1.27\n    ports: [\"80:http\"]\n",
            "services:\n  web:\n    image: nginx:1.27\n    ports: [\"80:8080\"]\n",
        ),
        Code::InvalidDuration => doc(
            "A duration cannot be parsed (`30s`, `1m30s` and `500ms` can).",
            "Durations become ECS healthcheck intervals, timeouts and stop timeouts, in seconds.",
            "services:\n  web:\n    image: nginx:1.27\n    healthcheck:\n      test: [\"CMD\", \"true\"]\n      interval: soon\n",
            "services:\n  web:\n    image: nginx:1.27\n    healthcheck:\n      test: [\"CMD\", \"true\"]\n      interval: 30s\n",
        ),
        Code::InvalidSize => doc(
            "A byte size cannot be parsed (`512m`, `2g` and `1073741824` can).",
            "Memory sizes choose the Fargate task size and the container's memory limit.",
            "services:\n  web:\n    image: nginx:1.27\n    mem_limit: 1 gigabyte\n",
            "services:\n  web:\n    image: nginx:1.27\n    mem_limit: 1g\n",
        ),
        Code::InvalidNumber => doc(
            "A number cannot be parsed (a CPU count, a replica count, a percentage).",
            "Numbers choose the Fargate task size, the desired count and deployment settings.",
            "services:\n  web:\n    image: nginx:1.27\n    cpus: lots\n",
            "services:\n  web:\n    image: nginx:1.27\n    cpus: 0.5\n",
        ),
        Code::InvalidProjectName => doc(
            "The project name has no letter or digit left after Compose's normalisation (lower case, `a-z0-9_-`), or is longer than 63 characters.",
            "The project name prefixes the stack's resources; a stack is usually named after its project, and the stack's name names the cluster and the Cloud Map namespace `{stack}.local`, whose labels hold at most 63 characters.",
            "name: \"!!!\"\nservices:\n  web:\n    image: nginx:1.27\n",
            "name: shop\nservices:\n  web:\n    image: nginx:1.27\n",
        ),
        Code::MissingImage => doc(
            "A service has no `image`.",
            "ECS runs images from a registry and compose2cfn builds nothing; push the image built from `build` and name it in `image`.",
            "services:\n  web:\n    build: .\n",
            "services:\n  web:\n    build: .\n    image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:1.0\n",
        ),
        Code::UnsupportedOnFargate => doc(
            "A setting cannot run on ECS Fargate: `privileged`, host networking, host bind mounts, devices, tmpfs and the like.",
            "Fargate tasks run on AWS-managed hosts with no host access; ECS would reject the task definition at deploy time.",
            "services:\n  web:\n    image: nginx:1.27\n    privileged: true\n",
            "services:\n  web:\n    image: nginx:1.27\n",
        ),
        Code::CapabilityNotAllowed => doc(
            "`cap_add` asks for a Linux capability other than `SYS_PTRACE`.",
            "Fargate only allows adding `SYS_PTRACE`; ECS rejects the task definition otherwise.",
            "services:\n  web:\n    image: nginx:1.27\n    cap_add: [NET_ADMIN]\n",
            "services:\n  web:\n    image: nginx:1.27\n    cap_add: [SYS_PTRACE]\n",
        ),
        Code::NoFargateSize => doc(
            "No Fargate task size has the CPU and memory the service asks for.",
            "Fargate tasks come in fixed sizes up to 16 vCPU and 120 GiB; a larger request cannot be scheduled.",
            "services:\n  web:\n    image: nginx:1.27\n    deploy:\n      resources:\n        limits:\n          cpus: \"32\"\n",
            "services:\n  web:\n    image: nginx:1.27\n    deploy:\n      resources:\n        limits:\n          cpus: \"16\"\n",
        ),
        Code::NameCollision => doc(
            "Two Compose names give the same CloudFormation logical ID (`web-app` and `web_app` both give `WebApp`).",
            "Logical IDs must be unique in a template; one resource would replace the other.",
            "services:\n  web-app:\n    image: nginx:1.27\n  web_app:\n    image: httpd:2.4\n",
            "services:\n  web-app:\n    image: nginx:1.27\n  web-api:\n    image: httpd:2.4\n",
        ),
        Code::UndefinedNetwork => doc(
            "A service uses a network the file does not define.",
            "Each Compose network becomes a security group; a service cannot join one that does not exist.",
            "services:\n  web:\n    image: nginx:1.27\n    networks: [front]\n",
            "services:\n  web:\n    image: nginx:1.27\n    networks: [front]\nnetworks:\n  front: {}\n",
        ),
        Code::UndefinedService => doc(
            "`depends_on` names a service that does not exist.",
            "The dependency becomes a container dependency and a CloudFormation `DependsOn`; both need the service.",
            "services:\n  web:\n    image: nginx:1.27\n    depends_on: [apii]\n  api:\n    image: httpd:2.4\n",
            "services:\n  web:\n    image: nginx:1.27\n    depends_on: [api]\n  api:\n    image: httpd:2.4\n",
        ),
        Code::DependencyCycle => doc(
            "Services depend on each other in a cycle.",
            "`depends_on` becomes CloudFormation `DependsOn`, and CloudFormation rejects circular dependencies.",
            "services:\n  web:\n    image: nginx:1.27\n    depends_on: [api]\n  api:\n    image: httpd:2.4\n    depends_on: [web]\n",
            "services:\n  web:\n    image: nginx:1.27\n    depends_on: [api]\n  api:\n    image: httpd:2.4\n",
        ),
        Code::PortConflict => doc(
            "Two services publish the same port.",
            "Published ports become listeners of one shared load balancer, and a load balancer has one listener per port.",
            "services:\n  web:\n    image: nginx:1.27\n    ports: [\"80:80\"]\n  admin:\n    image: httpd:2.4\n    ports: [\"80:80\"]\n",
            "services:\n  web:\n    image: nginx:1.27\n    ports: [\"80:80\"]\n  admin:\n    image: httpd:2.4\n    ports: [\"8080:80\"]\n",
        ),
        Code::HealthcheckRange => doc(
            "A healthcheck setting is outside what ECS accepts: interval 5-300 s, timeout 2-120 s, retries 1-10, start period 0-300 s.",
            "ECS rejects the task definition at deploy time, after the stack has started to change.",
            "services:\n  web:\n    image: nginx:1.27\n    healthcheck:\n      test: [\"CMD\", \"true\"]\n      retries: 20\n",
            "services:\n  web:\n    image: nginx:1.27\n    healthcheck:\n      test: [\"CMD\", \"true\"]\n      retries: 10\n",
        ),
        Code::StopGracePeriod => doc(
            "`stop_grace_period` is longer than 120 seconds.",
            "It becomes the container's `StopTimeout`, which Fargate caps at 120 seconds.",
            "services:\n  web:\n    image: nginx:1.27\n    stop_grace_period: 5m\n",
            "services:\n  web:\n    image: nginx:1.27\n    stop_grace_period: 2m\n",
        ),
        Code::NotYetSupported => doc(
            "The setting is valid on ECS but compose2cfn does not lower it yet (external configs, GPU services in an existing cluster, UDP on an existing load balancer).",
            "Dropping it silently would deploy something else than the file says; the error keeps the gap visible until it is closed.",
            "services:\n  web:\n    image: nginx:1.27\n    configs:\n      - source: site\n        target: /etc/nginx/conf.d/site.conf\nconfigs:\n  site:\n    external: true\n",
            "services:\n  web:\n    image: nginx:1.27\n    configs:\n      - source: site\n        target: /etc/nginx/conf.d/site.conf\nconfigs:\n  site:\n    content: \"server { listen 80; }\"\n",
        ),
        Code::OverlayTarget => doc(
            "The `x-aws-cloudformation` overlay patches (or deletes) a resource the compiled template does not have and gives it no `Type`, or after the merge a `Ref`, `Fn::GetAtt` or `DependsOn` names a resource that is gone.",
            "The overlay is merged last, by logical ID; a misspelt ID would add a resource without a type, which CloudFormation rejects, and a deleted resource that others still refer to fails the deployment. `compose2cfn plan` lists the logical IDs.",
            "services:\n  web:\n    image: nginx:1.27\n    ports: [\"80:80\"]\nx-aws-cloudformation:\n  Resources:\n    WebTCP80TargetGrup:\n      Properties:\n        HealthCheckPath: /health\n",
            "services:\n  web:\n    image: nginx:1.27\n    ports: [\"80:80\"]\nx-aws-cloudformation:\n  Resources:\n    WebTCP80TargetGroup:\n      Properties:\n        HealthCheckPath: /health\n",
        ),
        Code::NeedsExistingVpc => doc(
            "The file names an existing security group (an external network), EFS file system (an external volume) or load balancer (`x-aws-loadbalancer`), or subnets (`x-aws-subnets`), but not the VPC they live in (`x-aws-vpc`).",
            "Security groups, mount targets, load balancers and subnets belong to one VPC, and the tasks must run in it. compose2cfn never asks AWS which VPC that is: the file says it, and the template takes the VPC and its subnets as parameters (`VpcId`, `Subnets`).",
            "services:\n  web:\n    image: nginx:1.27\n    networks: [shared]\nnetworks:\n  shared:\n    external: true\n    name: sg-0123456789abcdef0\n",
            "x-aws-vpc: vpc-0123456789abcdef0\nx-aws-subnets: [subnet-0123456789abcdef0, subnet-0fedcba9876543210]\nservices:\n  web:\n    image: nginx:1.27\n    networks: [shared]\nnetworks:\n  shared:\n    external: true\n    name: sg-0123456789abcdef0\n",
        ),
        Code::InvalidName => doc(
            "A service or network name cannot become an AWS name: a dot, no letter or digit, or longer than a DNS label (63 characters).",
            "Service names become Cloud Map DNS names (`web.shop.local` in a stack named `shop`) and resource names that allow only letters, digits and hyphens.",
            "services:\n  web.v2:\n    image: nginx:1.27\n",
            "services:\n  web-v2:\n    image: nginx:1.27\n",
        ),
        Code::TooManyListeners => doc(
            "More ports are published than a load balancer has listeners (50).",
            "Every published port is a listener of the one load balancer, and Elastic Load Balancing allows 50 per load balancer.",
            "services:\n  web:\n    image: nginx:1.27\n    ports: [\"8000-8050:8000-8050\"]\n",
            "services:\n  web:\n    image: nginx:1.27\n    ports: [\"8000-8009:8000-8009\"]\n",
        ),
        Code::UndefinedResource => doc(
            "A service uses a volume, secret or config that the top-level `volumes`, `secrets` or `configs` does not define.",
            "Compose refuses such a project; the mount or secret would have nothing behind it.",
            "services:\n  db:\n    image: postgres:16\n    volumes: [\"pgdata:/var/lib/postgresql/data\"]\n",
            "services:\n  db:\n    image: postgres:16\n",
        ),
        Code::TemplateTooLarge => Doc {
            checked: false,
            ..doc(
                "The compiled template is larger than 1 MiB, the most CloudFormation accepts even from S3.",
                "CloudFormation rejects the template; split the project into several stacks (several Compose files or profiles, one stack each).",
                "# hundreds of services with large environments\nservices:\n  web:\n    image: nginx:1.27\n",
                "services:\n  web:\n    image: nginx:1.27\n",
            )
        },
        Code::TooManyResources => Doc {
            checked: false,
            ..doc(
                "A template has more resources (500), parameters (200) or outputs (200) than a stack may hold, even after the project is split into a root stack and nested stacks: the shared infrastructure alone is too much for the root (201 `file:` or `environment:` secrets are 201 `NoEcho` parameters, say).",
                "CloudFormation rejects the stack. Past the quotas compose2cfn splits the project by itself (services grouped into nested stacks, `src/emit/stacks/`); what is left is more than one stack can share: split the project into several stacks (several Compose files or profiles, one stack each).",
                "# 201 secrets from the environment\nservices:\n  app:\n    image: busybox:1.36\n    secrets: [s000, s001, ..., s200]\nsecrets:\n  s000: {environment: SECRET_000}\n  # ... s001 to s200\n",
                "services:\n  app:\n    image: busybox:1.36\n    secrets: [settings]\nsecrets:\n  settings:\n    environment: SETTINGS_JSON   # one JSON secret\n    x-aws-keys: \"*\"               # every key a file\n",
            )
        },
        Code::TooManyServices => Doc {
            checked: false,
            ..doc(
                "The project has more than 5,000 services.",
                "An ECS cluster runs at most 5,000 services (a quota AWS does not raise), and the stack puts every service in one cluster. compose2cfn stops here, before the work a larger project would take: a file that large is a mistake or an attack more often than a project.",
                "services:\n  s00001:\n    image: busybox:1.36\n  # ... s00002 to s05001\n",
                "# two projects (two files, or profiles), one stack and one cluster each\nservices:\n  s00001:\n    image: busybox:1.36\n  # ... s00002 to s02500\n",
            )
        },
        Code::PolicyViolation => Doc {
            checked: false,
            ..doc(
                "`compose2cfn check --policy FILE` evaluated the AWS CloudFormation Guard rules of FILE on every compiled template, and a resource breaks one; the diagnostic points at the Compose element that produced the resource.",
                "Teams write their rules once (tags required, log retention, no public IPs, read-only root file systems, ...) and run them where the Compose file is edited: in a pre-commit hook or CI, before anything is deployed. The rules see the template exactly as it would be deployed.",
                "# policy.guard:\n#   rule read_only { Resources.*[ Type == 'AWS::ECS::TaskDefinition' ].Properties.ContainerDefinitions[*].ReadonlyRootFilesystem == true }\nservices:\n  web:\n    image: nginx:1.27\n",
                "services:\n  web:\n    image: nginx:1.27\n    read_only: true\n",
            )
        },
        Code::RuntimeRule => doc(
            "The compiled template (after the `x-aws-cloudformation` overlay) breaks one of the run-time rules (`compose2cfn audit --rules` lists them): facts about what AWS does with a deployed stack, each from the AWS documentation, that schema checks cannot see. A target group whose health checks can never pass, a task that cannot pull its image, an execution role without the action its secret's ARN needs, a task definition over 64 KiB, a fixed name that a second stack of the project would collide with.",
            "CloudFormation would create such a stack, and the application would then fail at run time: tasks stopped by failed health checks, `CannotPullContainerError`, `AccessDenied`, a rolled-back deployment. compose2cfn's own lowering keeps every rule; what breaks one comes from the overlay, or from a Compose file whose values add up past a limit (configs travel in the task definition).",
            "services:\n  web:\n    image: nginx:1.27\nx-aws-cloudformation:\n  Resources:\n    Cluster:\n      Properties:\n        ClusterName: web\n",
            "services:\n  web:\n    image: nginx:1.27\n",
        ),
        Code::DefaultHealthCheck => doc(
            "A service published over HTTP has no health-check path: no `x-aws-healthcheck.path`, and no HTTP `healthcheck` (`curl -f http://localhost:8080/health`) on the port. Its target group then checks `/` and counts 200-399 as healthy.",
            "An API that answers 404 at `/`, or a site whose `/` needs a login (401), fails every check: the load balancer marks each task unhealthy, ECS stops it after the grace period, and the deployment's circuit breaker rolls back. Nothing says so before the deployment fails.",
            "services:\n  api:\n    image: ghcr.io/example/api:1.0\n    ports: [\"80:8080\"]\n",
            "services:\n  api:\n    image: ghcr.io/example/api:1.0\n    ports: [\"80:8080\"]\n    x-aws-healthcheck:\n      path: /health\n",
        ),
        Code::WritableRootFilesystem => doc(
            "Services run with a writable root file system: `read_only: true` is not set.",
            "A process that is compromised can then replace the image's programs and libraries, or hide tools among them. ECS mounts the root file system read-only when `read_only: true` is set (`ReadonlyRootFilesystem`, checkov CKV_AWS_336); the paths the program must write become `tmpfs:` task volumes on the task's ephemeral storage.",
            "services:\n  web:\n    image: nginx:1.27\n",
            "services:\n  web:\n    image: nginx:1.27\n    read_only: true\n    tmpfs: [/var/cache/nginx, /var/run, /tmp]\n",
        ),
        Code::IgnoredKey => doc(
            "The key has no meaning on ECS and is ignored.",
            "The file stays valid for `docker compose up`, but the setting does nothing on ECS; the warning says why and what ECS does instead.",
            "services:\n  web:\n    image: nginx:1.27\n    container_name: web\n",
            "services:\n  web:\n    image: nginx:1.27\n",
        ),
        Code::IgnoredValue => doc(
            "Part of a value has no meaning on ECS and is ignored (a port bound to a loopback address, say).",
            "The rest of the value is used; the ignored part would behave differently on ECS than on a laptop.",
            "services:\n  web:\n    image: nginx:1.27\n    ports: [\"127.0.0.1:8080:80\"]\n",
            "services:\n  web:\n    image: nginx:1.27\n    expose: [\"80\"]\n",
        ),
        Code::UnusedDefinition => doc(
            "A top-level network, volume, secret or config is used by no service, in any profile.",
            "The stack leaves it out, as Compose does; an unused definition is usually a typo in the service that should use it, or a leftover.",
            "services:\n  web:\n    image: nginx:1.27\n    networks: [front]\nnetworks:\n  front: {}\n  back: {}\n",
            "services:\n  web:\n    image: nginx:1.27\n    networks: [front]\nnetworks:\n  front: {}\n",
        ),
        Code::TemplateNeedsS3 => doc(
            "The compiled template is larger than 51,200 bytes.",
            "CloudFormation takes at most 51,200 bytes inline; `aws cloudformation deploy` needs `--s3-bucket BUCKET` to upload a larger template first.",
            NEEDS_S3,
            "x-service: &service\n  image: nginx:1.27\nservices:\n  s01: *service\n  s02: *service\n",
        ),
        Code::SharedVolumeWriters => doc(
            "Several tasks write one volume at once: a service runs more than one task (`replicas`) and mounts it read-write, or several services mount it read-write (through the same directory), or a service that writes it updates `start-first` (old and new tasks side by side).",
            "Every task mounts the same EFS file system; a database or any store that assumes one writer is corrupted when two tasks write at once.",
            "services:\n  db:\n    image: postgres:16\n    volumes: [\"pgdata:/var/lib/postgresql/data\"]\n    deploy:\n      replicas: 2\nvolumes:\n  pgdata: {}\n",
            "services:\n  db:\n    image: postgres:16\n    volumes: [\"pgdata:/var/lib/postgresql/data\"]\n    deploy:\n      replicas: 1\nvolumes:\n  pgdata: {}\n",
        ),
        Code::ConfigHidesDirectory => doc(
            "A service reads a config, and the config's directory becomes a task volume.",
            "Fargate cannot place a single file in a container: the directory is a volume holding only the configs, so whatever the image had there is hidden (`/etc/nginx` without `mime.types` breaks nginx).",
            "services:\n  web:\n    image: nginx:1.27\n    configs:\n      - source: site\n        target: /etc/nginx/conf.d/site.conf\nconfigs:\n  site:\n    content: \"server { listen 80; }\"\n",
            "services:\n  web:\n    image: nginx:1.27\nconfigs: {}\n",
        ),
        Code::PublicPort => doc(
            "A database or admin port (PostgreSQL, MySQL, Redis, MongoDB, SSH, ...) is published.",
            "Published ports listen on an internet-facing load balancer open to 0.0.0.0/0; services on the same network reach the port without publishing it.",
            "services:\n  db:\n    image: postgres:16\n    ports: [\"5432:5432\"]\n",
            "services:\n  db:\n    image: postgres:16\n    expose: [\"5432\"]\n",
        ),
    }
}

/// `compose2cfn explain CODE`: the entry as plain text.
#[must_use]
pub fn text(code: Code) -> String {
    let doc = lookup(code);
    let mut out = format!(
        "{} ({}, {}): {}\n\n{}\n\n{}\n\nExample:\n\n",
        code.as_str(),
        code.name(),
        code.severity().as_str(),
        code.summary(),
        doc.what,
        doc.why
    );
    push_files(&mut out, doc, doc.example, "    ");
    out.push_str("\nFix:\n\n");
    push_files(&mut out, doc, doc.fix, "    ");
    out
}

fn push_files(out: &mut String, doc: Doc, compose: &str, indent: &str) {
    let several = !doc.files.is_empty();
    let files = std::iter::once(("compose.yaml", compose)).chain(doc.files.iter().copied());
    for (name, text) in files {
        if several {
            let _ = writeln!(out, "{indent}# {name}");
        }
        for line in text.lines() {
            let _ = writeln!(out, "{indent}{line}");
        }
    }
}

/// `docs/diagnostics.md`: every entry, in table order.
#[must_use]
pub fn markdown() -> String {
    let mut out = String::from(
        "# Diagnostics\n\n<!-- Generated from src/diag/explain.rs by `UPDATE_DOCS=1 cargo test --test it -- docs::`; do not edit. -->\n\nEvery finding compose2cfn reports has a code: `E` codes are errors (exit code 1, no\ntemplate), `W` codes are warnings (`--deny-warnings` makes them errors).\n`compose2cfn explain CODE` prints an entry below.\n\n| code | name | summary |\n| --- | --- | --- |\n",
    );
    for code in Code::ALL {
        let _ = writeln!(
            out,
            "| [{}](#{}) | `{}` | {} |",
            code.as_str(),
            code.as_str().to_ascii_lowercase(),
            code.name(),
            code.summary()
        );
    }
    for code in Code::ALL {
        let doc = lookup(*code);
        let _ = write!(
            out,
            "\n## {}\n\n`{}` · {} · {}\n\n{}\n\n{}\n\nExample:\n\n",
            code.as_str(),
            code.name(),
            code.severity().as_str(),
            code.summary(),
            doc.what,
            doc.why
        );
        push_fenced(&mut out, doc, doc.example);
        out.push_str("\nFix:\n\n");
        push_fenced(&mut out, doc, doc.fix);
    }
    out
}

fn push_fenced(out: &mut String, doc: Doc, compose: &str) {
    out.push_str("```yaml\n");
    push_files(out, doc, compose, "");
    out.push_str("```\n");
}
