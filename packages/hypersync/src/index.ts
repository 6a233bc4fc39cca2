export { type BackupCandidates, backupCandidates, chooseBackup } from './backup-choice.js';
export { ByteWriter } from './byte-writer.js';
export { decodeMessage, encodeMessage, syncHeaderSize } from './codec.js';
export { type ConnectionInfo, ConnectionRole } from './connection.js';
export type { ConnectionChange, ConnectionInit } from './connection-input.js';
export { CriticalDevices, type DeviceStatus } from './critical-devices.js';
export { DecodeError, type DecodeErrorCode, HyperSyncError, type HyperSyncErrorCode } from './errors.js';
export { FULL_SYNC_DEVICE, Member } from './member.js';
export { isMemberId, MAX_MEMBER_ID_LENGTH } from './member-id.js';
export type { MemberOptions, Transport } from './member-options.js';
export { deriveMemberState, Health, MemberState, type StateInputs, stateName } from './member-state.js';
export {
  type AckMessage,
  type ConnectionFields,
  type HeartbeatMessage,
  MAX_MESSAGE_BYTES,
  MAX_PAYLOAD_BYTES,
  type Message,
  MessageType,
  RecordOp,
  type SyncMessage,
  type SyncPolicy,
  type SyncRecord,
  type TableChunkMessage,
  type TableRequestMessage,
  type ViewMember,
  type ViewMessage,
  WIRE_VERSION,
} from './messages.js';
export { createSyncRecord, syncRecordSize } from './record-codec.js';
export { chooseActiveSite, type GradeComponent, siteGrade } from './site-grade.js';
export type { SyncStats } from './sync-engine.js';
export { tableDigest } from './table-agreement.js';
export { type Candidate, type ClusterView, composeView, type GroupPolicy, type ViewShape } from './view.js';
