//! The project's customer-managed KMS key, rotated yearly: it encrypts the log group and
//! the secrets the stack creates. Its policy lets the account administer it and CloudWatch
//! Logs use it for the project's log group only; execution roles that read the project's
//! secrets get `kms:Decrypt` on it (`iam.rs`).

use super::cluster::LOG_GROUP_NAME;
use super::ids::ENCRYPTION_KEY;
use super::tags;
use crate::ir::{Resource, Template, Value};
use crate::map;
use crate::model::Project;

pub(super) fn lower(project: &Project, template: &mut Template) {
    let account = map! {
        "Action" => "kms:*",
        "Effect" => "Allow",
        "Principal" => map! { "AWS" => Value::sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root") },
        "Resource" => "*",
        "Sid" => "AccountAdministersTheKey",
    };
    let logs = map! {
        "Action" => Value::strs(["kms:Decrypt*", "kms:Describe*", "kms:Encrypt*", "kms:GenerateDataKey*", "kms:ReEncrypt*"]),
        "Condition" => map! {
            "ArnLike" => map! {
                "kms:EncryptionContext:aws:logs:arn" => Value::sub(format!(
                    "arn:${{AWS::Partition}}:logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:{LOG_GROUP_NAME}"
                )),
            },
        },
        "Effect" => "Allow",
        "Principal" => map! { "Service" => Value::sub("logs.${AWS::Region}.amazonaws.com") },
        "Resource" => "*",
        "Sid" => "LogsEncryptTheProjectLogGroup",
    };
    template.add(
        ENCRYPTION_KEY,
        Resource::new(
            "AWS::KMS::Key",
            map! {
                "Description" => format!("Encrypts the logs and secrets of the Compose project {}", project.name),
                "EnableKeyRotation" => true,
                "KeyPolicy" => map! {
                    "Statement" => Value::list([account, logs]),
                    "Version" => "2012-10-17",
                },
                "Tags" => tags(project, &[]),
            },
        ),
    );
}
