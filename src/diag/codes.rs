//! The one table of diagnostic codes: each code's kebab-case name, severity and summary.
//! Wording of individual messages lives with the step that finds the problem; this table
//! is what `explain` and the generated documentation read.

use std::fmt;

use super::Severity;

macro_rules! codes {
    ($( $variant:ident = $code:literal, $name:literal, $severity:ident, $summary:literal; )*) => {
        /// A diagnostic code (`E0xxx` for errors, `W0xxx` for warnings).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $( $variant, )* }

        impl Code {
            /// Every code, in table order.
            pub const ALL: &'static [Code] = &[ $( Code::$variant, )* ];

            /// The code as printed, e.g. `E0201`.
            #[must_use]
            pub fn as_str(self) -> &'static str {
                match self { $( Code::$variant => $code, )* }
            }

            /// The kebab-case name, e.g. `unknown-key`.
            #[must_use]
            pub fn name(self) -> &'static str {
                match self { $( Code::$variant => $name, )* }
            }

            /// The default severity.
            #[must_use]
            pub fn severity(self) -> Severity {
                match self { $( Code::$variant => Severity::$severity, )* }
            }

            /// One line: what the code reports.
            #[must_use]
            pub fn summary(self) -> &'static str {
                match self { $( Code::$variant => $summary, )* }
            }
        }
    };
}

codes! {
    // load: files, YAML, interpolation
    Io = "E0100", "unreadable-file", Error, "a file the project needs cannot be read";
    YamlSyntax = "E0101", "yaml-syntax", Error, "the file is not valid YAML";
    DuplicateKey = "E0102", "duplicate-key", Error, "a mapping defines the same key twice";
    YamlLimit = "E0103", "yaml-limit", Error, "the document exceeds a size, depth or alias limit";
    InterpolationSyntax = "E0104", "interpolation-syntax", Error, "a `$` expression is malformed";
    RequiredVariable = "E0105", "required-variable", Error, "a `${VAR:?message}` variable is not set";
    NotAMapping = "E0106", "not-a-mapping", Error, "the Compose document is not a mapping";
    InvalidMergeKey = "E0107", "invalid-merge-key", Error, "a `<<` merge key does not refer to a mapping";
    EnvFileSyntax = "E0108", "env-file-syntax", Error, "a line of an env file is malformed";
    MergeConflict = "E0109", "merge-conflict", Error, "two files give a key values that cannot be merged";
    ExtendsCycle = "E0110", "extends-cycle", Error, "services extend each other in a cycle";
    IncludeCycle = "E0111", "include-cycle", Error, "Compose files include each other in a cycle";
    UnknownExtends = "E0112", "unknown-extends", Error, "`extends` names a service that does not exist";
    IncludeConflict = "E0113", "include-conflict", Error, "an included file defines a resource the project already defines";
    UnsetVariable = "W0101", "unset-variable", Warning, "a variable is not set and defaults to an empty string";
    // schema: the Compose document against the JSON Schema
    UnknownKey = "E0201", "unknown-key", Error, "a key is not part of the Compose specification";
    WrongType = "E0202", "wrong-type", Error, "a value has the wrong type";
    InvalidValue = "E0203", "invalid-value", Error, "a value is outside what Compose accepts";
    MissingKey = "E0204", "missing-key", Error, "a required key is missing";
    // model: short syntaxes and units
    InvalidPort = "E0301", "invalid-port", Error, "a port mapping cannot be parsed";
    InvalidDuration = "E0302", "invalid-duration", Error, "a duration cannot be parsed";
    InvalidSize = "E0303", "invalid-size", Error, "a byte size cannot be parsed";
    InvalidNumber = "E0304", "invalid-number", Error, "a number cannot be parsed";
    InvalidProjectName = "E0305", "invalid-project-name", Error, "the project name is empty, or too long, after normalisation";
    // validate: ECS, Fargate and cross-references
    MissingImage = "E0401", "missing-image", Error, "a service has no `image` to run";
    UnsupportedOnFargate = "E0402", "unsupported-on-fargate", Error, "the setting cannot run on ECS Fargate";
    CapabilityNotAllowed = "E0403", "capability-not-allowed", Error, "Fargate only allows adding `SYS_PTRACE`";
    NoFargateSize = "E0404", "no-fargate-size", Error, "no Fargate task size fits the requested CPU and memory";
    NameCollision = "E0405", "name-collision", Error, "two Compose names give the same CloudFormation logical ID";
    UndefinedNetwork = "E0406", "undefined-network", Error, "a service uses a network that is not defined";
    UndefinedService = "E0407", "undefined-service", Error, "`depends_on` names a service that does not exist";
    DependencyCycle = "E0408", "dependency-cycle", Error, "services depend on each other in a cycle";
    PortConflict = "E0409", "port-conflict", Error, "two services publish the same load balancer port";
    HealthcheckRange = "E0410", "healthcheck-range", Error, "a healthcheck setting is outside the range ECS accepts";
    StopGracePeriod = "E0411", "stop-grace-period", Error, "`stop_grace_period` is longer than the 120 seconds ECS allows";
    NotYetSupported = "E0412", "not-yet-supported", Error, "the setting is valid on ECS but compose2cfn does not lower it yet";
    InvalidName = "E0413", "invalid-name", Error, "a service or network name cannot become an AWS name";
    TooManyListeners = "E0414", "too-many-listeners", Error, "more ports are published than a load balancer has listeners";
    UndefinedResource = "E0415", "undefined-resource", Error, "a service uses a volume, secret or config that is not defined";
    TemplateTooLarge = "E0416", "template-too-large", Error, "the template is larger than CloudFormation accepts (1 MiB)";
    TooManyResources = "E0417", "too-many-resources", Error, "a template has more resources, parameters or outputs than a stack may hold (500, 200, 200), even split";
    OverlayTarget = "E0419", "overlay-target", Error, "the `x-aws-cloudformation` overlay patches or leaves a reference to a resource the template does not have";
    TooManyServices = "E0420", "too-many-services", Error, "the project has more services than an ECS cluster runs (5,000)";
    PolicyViolation = "E0421", "policy-violation", Error, "a resource of the compiled template breaks a rule of a `--policy` file (AWS CloudFormation Guard)";
    RuntimeRule = "E0422", "runtime-rule", Error, "the compiled template breaks a run-time rule: AWS would create the stack, but the application would not run, or not securely";
    NeedsExistingVpc = "E0418", "needs-existing-vpc", Error, "an existing AWS resource is named, but not the existing VPC it belongs to";
    IgnoredKey = "W0401", "ignored-key", Warning, "the key has no meaning on ECS and is ignored";
    IgnoredValue = "W0402", "ignored-value", Warning, "part of a value has no meaning on ECS and is ignored";
    PublicPort = "W0403", "public-port", Warning, "a database or admin port is published to the internet";
    UnusedDefinition = "W0404", "unused-definition", Warning, "a network, volume, secret or config is used by no service";
    TemplateNeedsS3 = "W0405", "template-needs-s3", Warning, "the template is larger than the 51,200 bytes CloudFormation takes inline";
    SharedVolumeWriters = "W0406", "shared-volume-writers", Warning, "several tasks write to one volume at once (replicas, several services, start-first updates)";
    WritableRootFilesystem = "W0408", "writable-root-filesystem", Warning, "services can write to their root file systems (`read_only: true` is off)";
    DefaultHealthCheck = "W0409", "default-health-check", Warning, "the load balancer health-checks `/` of an HTTP service, expecting 200-399";
    ConfigHidesDirectory = "W0407", "config-hides-directory", Warning, "a config's directory is a volume that hides the image's files there";
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Code {
    /// Whether the loader reports the code (`E01xx`, `W01xx`): such diagnostics are never
    /// muted by [`super::Diagnostics::mute`].
    #[must_use]
    pub fn is_load_step(self) -> bool {
        self.as_str()[1..].starts_with("01")
    }

    /// Looks a code up by its code (`E0201`) or its name (`unknown-key`).
    #[must_use]
    pub fn parse(text: &str) -> Option<Code> {
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.as_str().eq_ignore_ascii_case(text) || c.name() == text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn codes_and_names_are_unique_and_well_formed() {
        let codes: BTreeSet<_> = Code::ALL.iter().map(|c| c.as_str()).collect();
        let names: BTreeSet<_> = Code::ALL.iter().map(|c| c.name()).collect();
        assert_eq!(codes.len(), Code::ALL.len());
        assert_eq!(names.len(), Code::ALL.len());
        for code in Code::ALL {
            let prefix = match code.severity() {
                Severity::Error => 'E',
                Severity::Warning => 'W',
            };
            assert!(
                code.as_str().starts_with(prefix),
                "{code} has the wrong prefix"
            );
            assert!(
                code.name()
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            );
        }
    }
}
