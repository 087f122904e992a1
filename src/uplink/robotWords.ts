/**
 * The words a group-robot message uses (data only): incident kinds and
 * severities in Chinese, read from the console's words (src/console/lib/messages/zh.ts)
 * so the two never disagree, and what to do when a zone has no checklist
 * (procedures) for the kind.
 */
import { INCIDENT_KINDS, SEVERITIES } from '../core/incident.ts';
import { zh } from '../console/lib/messages/zh.ts';

const zhWords: Readonly<Record<string, string>> = zh;

/** Incident kinds in Chinese: the console's words, one copy. */
export const KIND_ZH: Readonly<Record<string, string>> = Object.fromEntries(INCIDENT_KINDS.map((kind) => [kind, zhWords[`incident.${kind}`] ?? kind]));

export const SEVERITY_ZH: Readonly<Record<string, string>> = Object.fromEntries(SEVERITIES.map((severity) => [severity, zhWords[`severity.${severity}`] ?? severity]));

/** What to do, for a kind without a configured checklist. */
export const DEFAULT_ACTION_ZH: Readonly<Record<string, string>> = {
  panic: '立即派保安到场核实，必要时拨打110/120',
  door_forced: '派保安到门口查看是否有人闯入，调看附近摄像机画面',
  door_held_open: '派人到场关门，检查闭门器和门禁是否故障',
  repeated_denials: '到读卡器处核实刷卡人身份',
  camera_tamper: '到场查看摄像机是否被遮挡、移动或破坏',
  camera_video_loss: '检查摄像机供电和网络',
  after_hours: '派人到场查看非开放时间的活动',
  device_offline: '检查设备供电和网络，必要时报修',
  patrol_missed: '联系当班巡逻人员补巡',
  uplink_rejected: '请管理员检查县级平台或机器人的地址和密钥',
  outbox_near_cap: '请管理员检查与县级平台的网络连接',
  broker_lost: '设备消息（含一键报警）无法到达：请立即检查消息服务器和网络，期间加强人工巡查',
  fire: '立即拨打119，组织疏散，使用就近灭火器材',
  fight: '派保安和值班教师到场制止，必要时拨打110',
  medical: '联系校医，必要时拨打120，并通知家长',
  intrusion: '派保安到场拦截核实，必要时拨打110',
  missing_person: '立即组织寻找，调看监控，通知班主任和家长，必要时拨打110',
  other: '派人到场核实情况',
};

/** Said at the end of every incident message: acknowledging stops the escalation. */
export const ACK_HINT_ZH = '请在值班室控制台点击“确认”（确认后不再逐级上报）';

export const HAZARD_TITLE_ZH: Readonly<Record<string, string>> = {
  'hazard.opened': '新隐患',
  'hazard.updated': '隐患逾期未整改',
  'hazard.closed': '隐患销号',
};
