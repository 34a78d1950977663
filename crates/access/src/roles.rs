//! Roles (角色) and permissions (权限).
//!
//! Every role of PRODUCT.md §1 maps to an explicit, fixed permission set: least privilege is a
//! property of this table, not of scattered `if` statements in handlers. A handler asks
//! [`Role::has`] (or [`permissions_of`] for accounts holding several roles) for the one
//! fine-grained [`Permission`] its operation needs, then asks
//! [`crate::jurisdiction::may_see`] whether the item lies within the account's reach.
//!
//! Separation of duties (三权分立 in 等级保护 terms) is built in:
//! - the administrator (管理员) manages accounts, tokens, regions and settings, but cannot read
//!   non-public data, decrypt personal data or change credit data;
//! - the auditor (审计员) reads the audit trail and verifies the log, and changes nothing;
//! - neither may be combined with another role on the same account ([`check_role_set`]).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::error::AccessError;
use crate::jurisdiction::Reach;

/// A role of PRODUCT.md §1. Serialised in snake_case (`credit_office`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 公众: the portal's anonymous or registered visitor.
    Public,
    /// 信用主体: an agency, civil servant or enterprise looking at its own archive.
    Subject,
    /// 报送部门: a data-submitting department (court, 纪委监委, 人社, 财政, 市场监管 …).
    SubmittingDepartment,
    /// 信用办: the social-credit office operating the platform.
    CreditOffice,
    /// 实施部门: a department applying joint reward/punishment measures.
    ImplementingDepartment,
    /// 督查/评价: supervisors and third-party evaluators.
    Supervisor,
    /// 审计员: reads the audit trail and verifies the tamper-evident log.
    Auditor,
    /// 管理员: accounts, roles, regions, system settings.
    Administrator,
}

/// A fine-grained permission. Serialised in snake_case (`records_read_public`).
///
/// Permissions say *what kind* of operation or data; *whose* data is decided by the role's
/// [`Reach`] and the account's [`crate::jurisdiction::Scope`]. Public data
/// ([`Permission::RecordsReadPublic`]) is not scoped by region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Read published (社会公开) records, lists, rankings and commitments.
    RecordsReadPublic,
    /// Read records disclosed for sharing among agencies (政务共享).
    RecordsReadShared,
    /// Read every record in reach, unpublished and 授权查询 ones included.
    RecordsReadNonpublic,
    /// See an ID number in clear (decrypt the sealed value). Every use is logged with a purpose.
    PersonalDataDecrypt,
    /// Submit records (报送) by file or API.
    RecordsSubmit,
    /// Correct records one's own body submitted.
    RecordsCorrect,
    /// Move records through their lifecycle: validate, publish, correct, revoke, expire.
    RecordsTransition,
    /// Read one's own full archive (as a subject).
    ArchiveReadOwn,
    /// Download one's own credit report (as a subject).
    CreditReportOwn,
    /// Verify a credit report's authenticity (报告验真).
    ReportsVerify,
    /// Issue credit reports for subjects.
    ReportsIssue,
    /// File a complaint or report (投诉举报).
    ComplaintsFile,
    /// Triage, assign and close complaints.
    ComplaintsHandle,
    /// File an objection (异议).
    ObjectionsFile,
    /// Accept, investigate and answer objections.
    ObjectionsHandle,
    /// Apply for credit repair (信用修复).
    RepairApply,
    /// Review credit-repair applications.
    RepairHandle,
    /// Recognise and remove list entries (红黑名单认定、移出).
    ListsManage,
    /// Initiate, distribute and escalate joint reward/punishment cases.
    CasesManage,
    /// Sign for, apply and report back on distributed cases.
    CasesHandle,
    /// Run checks / intercepts (自动比对、自动拦截) against lists and records.
    ChecksRun,
    /// Handle assigned work: complaints, 建议提案, rectification, task progress reports.
    AssignmentsHandle,
    /// Manage commitments, contracts, arrears and debt data (守信践诺).
    CommitmentsManage,
    /// Manage inspections, 建议提案 and key-task division (督查、任务分工).
    SupervisionManage,
    /// Configure the catalog, measures and indicator system.
    CatalogManage,
    /// Publish portal content (announcements, open data).
    PortalManage,
    /// Run evaluations and import third-party ratings (监测评价).
    EvaluationsRun,
    /// Read statistics, rankings, warnings and dashboards.
    ReportsRead,
    /// Read the audit trail, query logs (查询留痕) included.
    AuditRead,
    /// Verify the tamper-evident change log.
    LogVerify,
    /// Create, disable and assign roles to accounts.
    AccountsManage,
    /// Issue and revoke API tokens.
    TokensManage,
    /// Add township/street regions (乡镇/街道).
    RegionsManage,
    /// Change system settings.
    SettingsManage,
    /// Approve or refuse another person's request to give an account a role that needs a
    /// second person ([`Role::grant_needs_approval`]).
    GrantsApprove,
    /// Read this instance's change feed as the upper-level instance (逐级归集, issue 21): the
    /// log's entries, signed heads, proofs and the records' content, within the token's region.
    FeedRead,
}

use Permission as P;

impl Permission {
    /// Every permission, in declaration order.
    pub const ALL: &'static [Permission] = &[
        P::RecordsReadPublic,
        P::RecordsReadShared,
        P::RecordsReadNonpublic,
        P::PersonalDataDecrypt,
        P::RecordsSubmit,
        P::RecordsCorrect,
        P::RecordsTransition,
        P::ArchiveReadOwn,
        P::CreditReportOwn,
        P::ReportsVerify,
        P::ReportsIssue,
        P::ComplaintsFile,
        P::ComplaintsHandle,
        P::ObjectionsFile,
        P::ObjectionsHandle,
        P::RepairApply,
        P::RepairHandle,
        P::ListsManage,
        P::CasesManage,
        P::CasesHandle,
        P::ChecksRun,
        P::AssignmentsHandle,
        P::CommitmentsManage,
        P::SupervisionManage,
        P::CatalogManage,
        P::PortalManage,
        P::EvaluationsRun,
        P::ReportsRead,
        P::AuditRead,
        P::LogVerify,
        P::AccountsManage,
        P::TokensManage,
        P::RegionsManage,
        P::SettingsManage,
        P::GrantsApprove,
        P::FeedRead,
    ];

    /// Stable snake_case name (the serde name).
    pub fn as_str(self) -> &'static str {
        match self {
            P::RecordsReadPublic => "records_read_public",
            P::RecordsReadShared => "records_read_shared",
            P::RecordsReadNonpublic => "records_read_nonpublic",
            P::PersonalDataDecrypt => "personal_data_decrypt",
            P::RecordsSubmit => "records_submit",
            P::RecordsCorrect => "records_correct",
            P::RecordsTransition => "records_transition",
            P::ArchiveReadOwn => "archive_read_own",
            P::CreditReportOwn => "credit_report_own",
            P::ReportsVerify => "reports_verify",
            P::ReportsIssue => "reports_issue",
            P::ComplaintsFile => "complaints_file",
            P::ComplaintsHandle => "complaints_handle",
            P::ObjectionsFile => "objections_file",
            P::ObjectionsHandle => "objections_handle",
            P::RepairApply => "repair_apply",
            P::RepairHandle => "repair_handle",
            P::ListsManage => "lists_manage",
            P::CasesManage => "cases_manage",
            P::CasesHandle => "cases_handle",
            P::ChecksRun => "checks_run",
            P::AssignmentsHandle => "assignments_handle",
            P::CommitmentsManage => "commitments_manage",
            P::SupervisionManage => "supervision_manage",
            P::CatalogManage => "catalog_manage",
            P::PortalManage => "portal_manage",
            P::EvaluationsRun => "evaluations_run",
            P::ReportsRead => "reports_read",
            P::AuditRead => "audit_read",
            P::LogVerify => "log_verify",
            P::AccountsManage => "accounts_manage",
            P::TokensManage => "tokens_manage",
            P::RegionsManage => "regions_manage",
            P::SettingsManage => "settings_manage",
            P::GrantsApprove => "grants_approve",
            P::FeedRead => "feed_read",
        }
    }

    /// Parse a snake_case name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|p| p.as_str() == s)
    }

    /// Chinese label for the UI.
    pub fn label_zh(self) -> &'static str {
        match self {
            P::RecordsReadPublic => "查阅公开信用信息",
            P::RecordsReadShared => "查阅政务共享信息",
            P::RecordsReadNonpublic => "查阅非公开信用信息",
            P::PersonalDataDecrypt => "查看个人信息明文",
            P::RecordsSubmit => "报送信用信息",
            P::RecordsCorrect => "更正本部门报送的信息",
            P::RecordsTransition => "审核、公示、更正、撤销信用记录",
            P::ArchiveReadOwn => "查阅本主体信用档案",
            P::CreditReportOwn => "下载本主体信用报告",
            P::ReportsVerify => "信用报告验真",
            P::ReportsIssue => "出具信用报告",
            P::ComplaintsFile => "提交投诉举报",
            P::ComplaintsHandle => "受理投诉举报",
            P::ObjectionsFile => "提出异议申诉",
            P::ObjectionsHandle => "处理异议申诉",
            P::RepairApply => "申请信用修复",
            P::RepairHandle => "审核信用修复",
            P::ListsManage => "认定和移出名单",
            P::CasesManage => "发起和分发联合奖惩案件",
            P::CasesHandle => "签收、实施、反馈联合奖惩案件",
            P::ChecksRun => "自动比对与拦截",
            P::AssignmentsHandle => "办理交办事项",
            P::CommitmentsManage => "管理承诺、合同与债务",
            P::SupervisionManage => "管理督查事项与任务分工",
            P::CatalogManage => "配置目录、措施与指标",
            P::PortalManage => "发布门户内容",
            P::EvaluationsRun => "开展监测评价",
            P::ReportsRead => "查阅统计、排名与预警",
            P::AuditRead => "查阅审计日志",
            P::LogVerify => "校验防篡改日志",
            P::AccountsManage => "管理账户与角色",
            P::TokensManage => "管理接口令牌",
            P::RegionsManage => "管理行政区划",
            P::SettingsManage => "管理系统设置",
            P::GrantsApprove => "审批特权角色授予",
            P::FeedRead => "向上级平台提供归集数据",
        }
    }

    /// Whether the permission only reads: it neither changes data nor starts a procedure.
    /// (A check is not read-only: its outcome is logged and can be reported back.)
    pub fn is_read_only(self) -> bool {
        matches!(
            self,
            P::RecordsReadPublic
                | P::RecordsReadShared
                | P::RecordsReadNonpublic
                | P::PersonalDataDecrypt
                | P::ArchiveReadOwn
                | P::CreditReportOwn
                | P::ReportsVerify
                | P::ReportsRead
                | P::AuditRead
                | P::LogVerify
                | P::FeedRead
        )
    }

    /// Whether the permission creates or changes credit data (records, lists, cases,
    /// objections, repair, commitments) or its configuration.
    pub fn writes_credit_data(self) -> bool {
        matches!(
            self,
            P::RecordsSubmit
                | P::RecordsCorrect
                | P::RecordsTransition
                | P::ReportsIssue
                | P::ComplaintsHandle
                | P::ObjectionsHandle
                | P::RepairHandle
                | P::ListsManage
                | P::CasesManage
                | P::CasesHandle
                | P::AssignmentsHandle
                | P::CommitmentsManage
                | P::SupervisionManage
                | P::CatalogManage
                | P::PortalManage
                | P::EvaluationsRun
        )
    }

    /// Whether the permission reads data that is not public.
    pub fn reads_nonpublic_data(self) -> bool {
        matches!(
            self,
            P::RecordsReadShared
                | P::RecordsReadNonpublic
                | P::PersonalDataDecrypt
                | P::ArchiveReadOwn
                | P::AuditRead
                | P::FeedRead
        )
    }

    /// Whether an API token may carry this permission. Account administration, audit and the
    /// decryption of personal data are for people who log in with a second factor, never for
    /// a bearer string sitting in another system's configuration.
    pub fn token_grantable(self) -> bool {
        matches!(
            self,
            P::RecordsReadPublic
                | P::RecordsReadShared
                | P::RecordsReadNonpublic
                | P::RecordsSubmit
                | P::RecordsCorrect
                | P::ReportsVerify
                | P::ChecksRun
                | P::CasesHandle
                | P::AssignmentsHandle
                | P::ReportsRead
                | P::FeedRead
        )
    }
}

impl std::fmt::Display for Permission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

const PUBLIC: &[Permission] = &[
    P::RecordsReadPublic,
    P::ReportsVerify,
    P::ComplaintsFile,
    // Anyone may object to a public record (PRODUCT.md §5).
    P::ObjectionsFile,
];

const SUBJECT: &[Permission] = &[
    P::RecordsReadPublic,
    P::ReportsVerify,
    P::ComplaintsFile,
    P::ObjectionsFile,
    P::ArchiveReadOwn,
    P::CreditReportOwn,
    P::RepairApply,
];

const SUBMITTING_DEPARTMENT: &[Permission] = &[
    P::RecordsReadPublic,
    P::RecordsReadShared,
    P::ReportsVerify,
    P::RecordsSubmit,
    P::RecordsCorrect,
    P::AssignmentsHandle,
];

const CREDIT_OFFICE: &[Permission] = &[
    P::RecordsReadPublic,
    P::RecordsReadShared,
    P::RecordsReadNonpublic,
    P::PersonalDataDecrypt,
    P::RecordsSubmit,
    P::RecordsTransition,
    P::ReportsVerify,
    P::ReportsIssue,
    P::ComplaintsHandle,
    P::ObjectionsHandle,
    P::RepairHandle,
    P::ListsManage,
    P::CasesManage,
    P::ChecksRun,
    P::CommitmentsManage,
    P::SupervisionManage,
    P::CatalogManage,
    P::PortalManage,
    P::ReportsRead,
    P::GrantsApprove,
    P::FeedRead,
];

const IMPLEMENTING_DEPARTMENT: &[Permission] = &[
    P::RecordsReadPublic,
    P::RecordsReadShared,
    P::ReportsVerify,
    P::ChecksRun,
    P::CasesHandle,
    P::AssignmentsHandle,
];

const SUPERVISOR: &[Permission] = &[
    P::RecordsReadPublic,
    P::ReportsVerify,
    P::EvaluationsRun,
    P::ReportsRead,
];

const AUDITOR: &[Permission] = &[P::RecordsReadPublic, P::AuditRead, P::LogVerify];

const ADMINISTRATOR: &[Permission] = &[
    P::RecordsReadPublic,
    P::AccountsManage,
    P::TokensManage,
    P::RegionsManage,
    P::SettingsManage,
    P::GrantsApprove,
];

impl Role {
    /// Every role, in declaration order.
    pub const ALL: &'static [Role] = &[
        Role::Public,
        Role::Subject,
        Role::SubmittingDepartment,
        Role::CreditOffice,
        Role::ImplementingDepartment,
        Role::Supervisor,
        Role::Auditor,
        Role::Administrator,
    ];

    /// Stable snake_case name (the serde name).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Public => "public",
            Role::Subject => "subject",
            Role::SubmittingDepartment => "submitting_department",
            Role::CreditOffice => "credit_office",
            Role::ImplementingDepartment => "implementing_department",
            Role::Supervisor => "supervisor",
            Role::Auditor => "auditor",
            Role::Administrator => "administrator",
        }
    }

    /// Parse a snake_case name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|r| r.as_str() == s)
    }

    /// Chinese label for the UI.
    pub fn label_zh(self) -> &'static str {
        match self {
            Role::Public => "公众",
            Role::Subject => "信用主体",
            Role::SubmittingDepartment => "报送部门",
            Role::CreditOffice => "信用办",
            Role::ImplementingDepartment => "实施部门",
            Role::Supervisor => "督查评价",
            Role::Auditor => "审计员",
            Role::Administrator => "管理员",
        }
    }

    /// The role's permissions, fixed in code so that a database edit cannot widen them.
    pub fn permissions(self) -> &'static [Permission] {
        match self {
            Role::Public => PUBLIC,
            Role::Subject => SUBJECT,
            Role::SubmittingDepartment => SUBMITTING_DEPARTMENT,
            Role::CreditOffice => CREDIT_OFFICE,
            Role::ImplementingDepartment => IMPLEMENTING_DEPARTMENT,
            Role::Supervisor => SUPERVISOR,
            Role::Auditor => AUDITOR,
            Role::Administrator => ADMINISTRATOR,
        }
    }

    /// Whether the role holds `permission`.
    pub fn has(self, permission: Permission) -> bool {
        self.permissions().contains(&permission)
    }

    /// Whether logging in requires a TOTP second factor: the roles that can decrypt personal
    /// data, read the audit trail or administer accounts.
    pub fn requires_totp(self) -> bool {
        matches!(
            self,
            Role::CreditOffice | Role::Auditor | Role::Administrator
        )
    }

    /// Whose non-public data the role reaches (see [`crate::jurisdiction::may_see`]).
    pub fn reach(self) -> Reach {
        match self {
            Role::Public => Reach::PublicOnly,
            Role::Subject | Role::SubmittingDepartment | Role::ImplementingDepartment => {
                Reach::OwnBody
            }
            Role::CreditOffice | Role::Supervisor | Role::Auditor | Role::Administrator => {
                Reach::Jurisdiction
            }
        }
    }

    /// Roles that must be the only staff role of an account (separation of duties): the
    /// administrator and the auditor check each other, and a subject's account is never a
    /// staff account (it would judge its own objections).
    pub fn is_exclusive(self) -> bool {
        matches!(self, Role::Administrator | Role::Auditor | Role::Subject)
    }

    /// Whether giving an account this role needs a second person's approval (separation of
    /// duties): the roles that open personal data or non-public records, read the audit trail,
    /// or manage accounts and tokens. An administrator could otherwise mint the access it
    /// cannot hold itself (a credit office that decrypts ID numbers), or a second
    /// administrator to approve its own requests.
    pub fn grant_needs_approval(self) -> bool {
        self.permissions().iter().any(|p| {
            matches!(
                p,
                P::PersonalDataDecrypt
                    | P::RecordsReadNonpublic
                    | P::AuditRead
                    | P::AccountsManage
                    | P::TokensManage
            )
        })
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The union of the permissions of several roles.
pub fn permissions_of(roles: &[Role]) -> BTreeSet<Permission> {
    roles
        .iter()
        .flat_map(|r| r.permissions().iter().copied())
        .collect()
}

/// Whether any of `roles` requires a TOTP second factor.
pub fn requires_totp(roles: &[Role]) -> bool {
    roles.iter().any(|r| r.requires_totp())
}

/// The roles of `after` that an account holding `before` in `region` may only receive with a
/// second person's approval: every added role that [`Role::grant_needs_approval`], and any added
/// staff role at national scope (`region` national). Roles already held, and removals, need none.
pub fn roles_needing_approval(before: &[Role], after: &[Role], national: bool) -> Vec<Role> {
    after
        .iter()
        .copied()
        .filter(|r| !before.contains(r))
        .filter(|r| r.grant_needs_approval() || (national && *r != Role::Public))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// Check that a set of roles may be held by one account: an exclusive role
/// ([`Role::is_exclusive`]) may only be combined with [`Role::Public`], which every account
/// has anyway. Call it whenever roles are assigned.
pub fn check_role_set(roles: &[Role]) -> Result<(), AccessError> {
    let staff: Vec<Role> = roles
        .iter()
        .copied()
        .filter(|r| *r != Role::Public)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if let Some(exclusive) = staff.iter().copied().find(|r| r.is_exclusive()) {
        if let Some(other) = staff.iter().copied().find(|r| *r != exclusive) {
            return Err(AccessError::RoleConflict {
                role: exclusive,
                other,
            });
        }
    }
    Ok(())
}

/// The permissions of a sector platform's token (公共资源交易平台, 行政执法平台; Jiangsu 2023
/// §二(二), docs/SHARING.md): read and check only — public and shared records (the check
/// API's verdicts and the records behind them), and 报告验真. A check's outcome is logged in
/// the query log but changes no credit data; nothing here submits, corrects, decides or
/// manages. Issue it with `chengxin token issue --permissions` and these codes.
pub const SECTOR_PLATFORM_TOKEN: &[Permission] = &[
    P::RecordsReadPublic,
    P::RecordsReadShared,
    P::ChecksRun,
    P::ReportsVerify,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separation_of_duties() {
        let admin = Role::Administrator;
        assert!(!admin.has(P::PersonalDataDecrypt));
        assert!(!admin.has(P::RecordsReadNonpublic));
        assert!(!admin.has(P::AuditRead));
        for p in admin.permissions() {
            assert!(!p.writes_credit_data(), "administrator has {p}");
            assert!(!p.reads_nonpublic_data(), "administrator has {p}");
        }
        for p in Role::Auditor.permissions() {
            assert!(p.is_read_only(), "auditor has {p}");
            assert!(!p.writes_credit_data(), "auditor has {p}");
        }
        assert!(Role::Auditor.has(P::AuditRead));
        assert!(Role::Auditor.has(P::LogVerify));
        assert!(!Role::Auditor.has(P::PersonalDataDecrypt));
        // Only the administrator manages accounts and tokens.
        for r in Role::ALL {
            if *r != admin {
                assert!(!r.has(P::AccountsManage), "{r}");
                assert!(!r.has(P::TokensManage), "{r}");
                assert!(!r.has(P::SettingsManage), "{r}");
            }
        }
        // Approving another's privileged grant: the administrators and the credit office only.
        for r in Role::ALL {
            assert_eq!(
                r.has(P::GrantsApprove),
                matches!(r, Role::Administrator | Role::CreditOffice),
                "{r}"
            );
        }
        // Only the auditor reads the audit trail.
        for r in Role::ALL {
            assert_eq!(r.has(P::AuditRead), *r == Role::Auditor, "{r}");
        }
    }

    #[test]
    fn powerful_roles_need_a_second_factor() {
        for r in Role::ALL {
            let powerful = r.permissions().iter().any(|p| {
                matches!(
                    p,
                    P::PersonalDataDecrypt
                        | P::RecordsReadNonpublic
                        | P::AuditRead
                        | P::AccountsManage
                        | P::TokensManage
                )
            });
            if powerful {
                assert!(r.requires_totp(), "{r}");
            }
        }
        assert!(Role::CreditOffice.requires_totp());
        assert!(Role::Auditor.requires_totp());
        assert!(Role::Administrator.requires_totp());
        assert!(!Role::Public.requires_totp());
        assert!(requires_totp(&[Role::Supervisor, Role::CreditOffice]));
        assert!(!requires_totp(&[Role::Supervisor]));
    }

    #[test]
    fn personal_data_only_for_the_credit_office() {
        let holders: Vec<Role> = Role::ALL
            .iter()
            .copied()
            .filter(|r| r.has(P::PersonalDataDecrypt))
            .collect();
        assert_eq!(holders, [Role::CreditOffice]);
        assert!(!P::PersonalDataDecrypt.token_grantable());
        assert!(!P::AccountsManage.token_grantable());
        assert!(!P::AuditRead.token_grantable());
    }

    #[test]
    fn roles_as_in_the_brief() {
        assert!(Role::Public.has(P::RecordsReadPublic));
        assert!(!Role::Public.has(P::RecordsReadShared));
        assert!(Role::Subject.has(P::ArchiveReadOwn));
        assert!(Role::Subject.has(P::RepairApply));
        assert!(Role::SubmittingDepartment.has(P::RecordsSubmit));
        assert!(Role::SubmittingDepartment.has(P::RecordsCorrect));
        assert!(!Role::SubmittingDepartment.has(P::RecordsTransition));
        assert!(Role::CreditOffice.has(P::ListsManage));
        assert!(Role::CreditOffice.has(P::ObjectionsHandle));
        assert!(Role::CreditOffice.has(P::CatalogManage));
        assert!(Role::ImplementingDepartment.has(P::CasesHandle));
        assert!(!Role::ImplementingDepartment.has(P::CasesManage));
        assert!(Role::Supervisor.has(P::EvaluationsRun));
        assert!(Role::Supervisor.has(P::ReportsRead));
        // Every role's list is free of duplicates and every permission is held by someone.
        for r in Role::ALL {
            let set: BTreeSet<_> = r.permissions().iter().collect();
            assert_eq!(set.len(), r.permissions().len(), "{r}");
        }
        let all = permissions_of(Role::ALL);
        assert_eq!(all.len(), Permission::ALL.len());
    }

    #[test]
    fn names_labels_and_serde() {
        let mut names = BTreeSet::new();
        for p in Permission::ALL {
            assert!(names.insert(p.as_str()), "{p}");
            assert_eq!(Permission::parse(p.as_str()), Some(*p));
            assert!(!p.label_zh().is_empty());
            let json = serde_json::to_string(p).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", p.as_str()));
            assert!(p
                .as_str()
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'_'));
        }
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(*r));
            let json = serde_json::to_string(r).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", r.as_str()));
            let back: Role = serde_json::from_str(&json).unwrap_or(Role::Public);
            assert_eq!(back, *r);
        }
        assert_eq!(Role::CreditOffice.label_zh(), "信用办");
        assert_eq!(Role::parse("root"), None);
        assert_eq!(Permission::parse("everything"), None);
    }

    #[test]
    fn privileged_grants_need_a_second_person() {
        let needing: Vec<Role> = Role::ALL
            .iter()
            .copied()
            .filter(|r| r.grant_needs_approval())
            .collect();
        assert_eq!(
            needing,
            [Role::CreditOffice, Role::Auditor, Role::Administrator]
        );
        // Every role holding the decryption of personal data needs approval.
        for r in Role::ALL {
            if r.has(P::PersonalDataDecrypt) || r.has(P::RecordsReadNonpublic) {
                assert!(r.grant_needs_approval(), "{r}");
            }
        }
        let co = Role::CreditOffice;
        let sup = Role::Supervisor;
        assert_eq!(roles_needing_approval(&[], &[co], false), [co]);
        assert_eq!(roles_needing_approval(&[sup], &[sup, co], false), [co]);
        // Held already, or removed: nothing to approve.
        assert!(roles_needing_approval(&[co], &[co, sup], false).is_empty());
        assert!(roles_needing_approval(&[co, sup], &[sup], false).is_empty());
        assert!(roles_needing_approval(&[], &[sup], false).is_empty());
        // National scope: any staff role.
        assert_eq!(roles_needing_approval(&[], &[sup], true), [sup]);
        assert!(roles_needing_approval(&[], &[Role::Public], true).is_empty());
    }

    #[test]
    fn role_combinations() {
        assert!(
            check_role_set(&[Role::SubmittingDepartment, Role::ImplementingDepartment]).is_ok()
        );
        assert!(check_role_set(&[Role::Administrator, Role::Public]).is_ok());
        assert!(check_role_set(&[Role::Auditor, Role::Auditor]).is_ok());
        assert!(check_role_set(&[]).is_ok());
        let e = check_role_set(&[Role::CreditOffice, Role::Administrator]);
        assert!(matches!(e, Err(AccessError::RoleConflict { .. })));
        assert!(check_role_set(&[Role::Auditor, Role::Administrator]).is_err());
        assert!(check_role_set(&[Role::Subject, Role::CreditOffice]).is_err());
    }

    #[test]
    fn sector_platform_tokens_only_read_and_check() {
        for p in SECTOR_PLATFORM_TOKEN {
            assert!(p.token_grantable(), "{p}");
            assert!(!p.writes_credit_data(), "{p}");
            assert!(p.is_read_only() || *p == P::ChecksRun, "{p}");
        }
        assert!(!SECTOR_PLATFORM_TOKEN.contains(&P::RecordsReadNonpublic));
        assert!(!SECTOR_PLATFORM_TOKEN.contains(&P::PersonalDataDecrypt));
    }
}
