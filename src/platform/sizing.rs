//! Task sizes: the table of valid Fargate CPU/memory pairs (0.25 to 16 vCPU, up to
//! 120 GiB) and the choice of the smallest one that fits a request; for GPU tasks on EC2,
//! the table of GPU instance types and the smallest that fits.

use crate::model::Service;

/// One CPU tier: CPU units and the memory values (MiB) it allows.
struct Tier {
    cpu: u32,
    min_mib: u32,
    max_mib: u32,
    step_mib: u32,
    /// Memory values below `min_mib` that the tier also allows (0.25 vCPU's 512 MiB).
    extra: &'static [u32],
}

const TIERS: &[Tier] = &[
    Tier {
        cpu: 256,
        min_mib: 1024,
        max_mib: 2048,
        step_mib: 1024,
        extra: &[512],
    },
    Tier {
        cpu: 512,
        min_mib: 1024,
        max_mib: 4096,
        step_mib: 1024,
        extra: &[],
    },
    Tier {
        cpu: 1024,
        min_mib: 2048,
        max_mib: 8192,
        step_mib: 1024,
        extra: &[],
    },
    Tier {
        cpu: 2048,
        min_mib: 4096,
        max_mib: 16384,
        step_mib: 1024,
        extra: &[],
    },
    Tier {
        cpu: 4096,
        min_mib: 8192,
        max_mib: 30720,
        step_mib: 1024,
        extra: &[],
    },
    Tier {
        cpu: 8192,
        min_mib: 16384,
        max_mib: 61440,
        step_mib: 4096,
        extra: &[],
    },
    Tier {
        cpu: 16384,
        min_mib: 32768,
        max_mib: 122_880,
        step_mib: 8192,
        extra: &[],
    },
];

/// A valid Fargate task size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskSize {
    /// CPU units (1024 per vCPU).
    pub cpu: u32,
    /// Memory in MiB.
    pub memory: u32,
}

/// The largest size Fargate offers.
pub const MAX: TaskSize = TaskSize {
    cpu: 16384,
    memory: 122_880,
};

const MIB: u64 = 1024 * 1024;

/// The smallest Fargate size with at least `cpus` vCPUs and `memory` bytes; 0.25 vCPU and
/// 512 MiB when nothing is asked. `None` when nothing fits.
#[must_use]
pub fn fit(cpus: Option<f64>, memory: Option<u64>) -> Option<TaskSize> {
    let want_cpu = cpus.map_or(0.0, |c| (c * 1024.0).ceil());
    let want_mib = memory.map_or(0, |m| m.div_ceil(MIB));
    TIERS
        .iter()
        .filter(|t| f64::from(t.cpu) >= want_cpu)
        .find_map(|tier| {
            let steps = (tier.min_mib..=tier.max_mib).step_by(tier.step_mib as usize);
            let memory = tier
                .extra
                .iter()
                .copied()
                .chain(steps)
                .find(|&m| u64::from(m) >= want_mib)?;
            Some(TaskSize {
                cpu: tier.cpu,
                memory,
            })
        })
}

/// A GPU instance type: vCPUs, memory (GiB) and GPUs (the G4dn family, NVIDIA T4).
struct GpuInstance {
    name: &'static str,
    vcpus: u32,
    gib: u32,
    gpus: u32,
}

const GPU_INSTANCES: &[GpuInstance] = &[
    GpuInstance {
        name: "g4dn.xlarge",
        vcpus: 4,
        gib: 16,
        gpus: 1,
    },
    GpuInstance {
        name: "g4dn.2xlarge",
        vcpus: 8,
        gib: 32,
        gpus: 1,
    },
    GpuInstance {
        name: "g4dn.4xlarge",
        vcpus: 16,
        gib: 64,
        gpus: 1,
    },
    GpuInstance {
        name: "g4dn.8xlarge",
        vcpus: 32,
        gib: 128,
        gpus: 1,
    },
    GpuInstance {
        name: "g4dn.12xlarge",
        vcpus: 48,
        gib: 192,
        gpus: 4,
    },
    GpuInstance {
        name: "g4dn.16xlarge",
        vcpus: 64,
        gib: 256,
        gpus: 1,
    },
    GpuInstance {
        name: "g4dn.metal",
        vcpus: 96,
        gib: 384,
        gpus: 8,
    },
];

/// The smallest GPU instance type with the GPUs and CPUs asked for and more memory (the
/// ECS agent and the operating system keep some).
#[must_use]
pub fn gpu_instance(cpus: Option<f64>, memory: Option<u64>, gpus: u32) -> Option<&'static str> {
    let bytes = memory.unwrap_or(0);
    GPU_INSTANCES
        .iter()
        .find(|i| {
            f64::from(i.vcpus) >= cpus.unwrap_or(0.0)
                && u64::from(i.gib) * 1024 * 1024 * 1024 > bytes
                && i.gpus >= gpus
        })
        .map(|i| i.name)
}

/// The smallest GPU instance type every one of `services` fits on: the most CPUs, memory
/// and GPUs any of them asks for.
pub fn gpu_instance_for<'a>(
    services: impl IntoIterator<Item = &'a Service>,
) -> Option<&'static str> {
    let (mut cpus, mut memory, mut gpus) = (None::<f64>, None::<u64>, 1);
    for service in services {
        cpus = service
            .cpus
            .map_or(cpus, |c| Some(cpus.map_or(c, |m| m.max(c))));
        memory = service.memory.max(memory);
        gpus = gpus.max(service.gpus.map_or(0, |(n, _)| n));
    }
    gpu_instance(cpus, memory, gpus)
}

/// An EC2 task's CPU units and memory (MiB) as asked (1024 units per vCPU), with the
/// smallest Fargate size's values where the file is silent.
#[must_use]
pub fn ec2(cpus: Option<f64>, memory: Option<u64>) -> (u32, u64) {
    let default = TIERS[0].cpu;
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // checked by validation
    let cpu = cpus.map_or(default, |c| (c * 1024.0).ceil() as u32);
    let mib = memory.map_or(512, |b| b.div_ceil(1024 * 1024));
    (cpu, mib)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GIB: u64 = 1024 * MIB;

    #[test]
    fn smallest_size_that_fits() {
        let size = |c, m| fit(c, m).map(|s| (s.cpu, s.memory));
        assert_eq!(size(None, None), Some((256, 512)));
        assert_eq!(size(Some(0.5), Some(2 * GIB)), Some((512, 2048)));
        assert_eq!(size(Some(4.0), Some(8 * GIB)), Some((4096, 8192)));
        assert_eq!(size(None, Some(5 * GIB)), Some((1024, 5120)));
        assert_eq!(size(Some(0.1), Some(600 * MIB)), Some((256, 1024)));
        assert_eq!(size(Some(6.0), None), Some((8192, 16384)));
        assert_eq!(size(Some(16.0), Some(120 * GIB)), Some((16384, 122_880)));
        assert_eq!(size(Some(17.0), None), None);
        assert_eq!(size(None, Some(121 * GIB)), None);
    }

    #[test]
    fn gpu_instances() {
        let gib = |n: u64| Some(n * 1024 * 1024 * 1024);
        assert_eq!(gpu_instance(None, None, 1), Some("g4dn.xlarge"));
        assert_eq!(gpu_instance(None, gib(8), 1), Some("g4dn.xlarge"));
        assert_eq!(gpu_instance(None, gib(16), 1), Some("g4dn.2xlarge"));
        assert_eq!(gpu_instance(Some(8.0), None, 2), Some("g4dn.12xlarge"));
        assert_eq!(gpu_instance(None, None, 9), None);
        assert_eq!(ec2(Some(4.0), gib(8)), (4096, 8192));
    }
}
