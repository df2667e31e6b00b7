import type { LoginCounts, Session } from '../server/session.js';
import type { Platform } from './platform.js';
import type { TaskBook, WireTask } from './tasks.js';
import {
  drsRuleView,
  uploadView,
  vmView,
  volumeView,
  type WireDrsRule,
  type WireUpload,
  type WireVm,
  type WireVolume,
} from './wire-views.js';

/** Everything a test may want to assert on from the platform side (`GET /_sim/state`). */
export interface SimState {
  /** VMs and templates, in the shape `GET <vm uri>` answers. */
  vms: WireVm[];
  volumes: WireVolume[];
  uploads: (WireUpload & { sha256: string | null })[];
  tasks: WireTask[];
  sessions: Session[];
  logins: LoginCounts;
  drsRules: (WireDrsRule & { clusterUrn: string })[];
  /**
   * Create calls the platform accepted, per kind, since start-up: clones for `vms`, `POST volumes`
   * for `volumes` (a clone's own disks are not counted). Lets a test count creates, not only see
   * what exists now.
   */
  creates: CreateCounts;
  /**
   * The bodies of the `POST volumes` calls the platform accepted, as the client sent them: which
   * optional fields a client leaves to the platform's default (`isThin`) shows only here, since the
   * volume itself always has a value.
   */
  volumeCreateBodies: Record<string, unknown>[];
  /** The bodies of the `PUT <volume uri>` calls (rename, conversion to shared) the platform accepted. */
  volumeModifyBodies: { volumeUrn: string; body: Record<string, unknown> }[];
}

export interface CreateCounts {
  vms: number;
  volumes: number;
}

export function buildSimState(
  platform: Platform,
  tasks: TaskBook,
  sessions: { list(): Session[]; counts(): LoginCounts },
): SimState {
  return {
    vms: [...platform.vms.values()].map((vm) => vmView(platform, vm)),
    volumes: [...platform.volumes.values()].map(volumeView),
    uploads: [...platform.uploads.values()].map((u) => ({ ...uploadView(u), sha256: u.sha256 ?? null })),
    tasks: tasks.all().map((task) => tasks.view(task)),
    sessions: sessions.list(),
    logins: sessions.counts(),
    drsRules: platform.drsRules.map((rule) => ({ clusterUrn: rule.clusterUrn, ...drsRuleView(rule) })),
    creates: { ...platform.creates },
    volumeCreateBodies: platform.volumeCreateBodies.map((body) => ({ ...body })),
    volumeModifyBodies: platform.volumeModifyBodies.map((entry) => ({ ...entry, body: { ...entry.body } })),
  };
}
