//! What AWS accepts, as both the validation and the lowering need it: the Fargate task
//! sizes and GPU instance types (`sizing`), and the logical IDs and names derived from
//! Compose names (`names`). Neither step owns them: validation rejects what lowering could
//! not map, by the same tables.

pub mod names;
pub mod sizing;
