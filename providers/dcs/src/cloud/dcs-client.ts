import { createHash } from 'node:crypto';
import type { PlatformCallRecorder } from '@immutable-infra/core';
import type { LookupCache } from '@immutable-infra/provider-kit';
import { z } from 'zod';
import { DcsLookupError, DcsResponseError, isNotFound } from './dcs-api-error.js';
import { toUri, toUrn } from './dcs-ids.js';
import type { DcsRequest, DcsSession } from './dcs-session.js';
import {
  DcsApplyUploadSchema,
  DcsCloneResultSchema,
  type DcsCloneVmRequest,
  type DcsCluster,
  DcsClusterSchema,
  type DcsCreateVolumeRequest,
  DcsCreateVolumeResultSchema,
  type DcsDatastore,
  DcsDatastoreClusterSchema,
  DcsDatastoreSchema,
  DcsDvSwitchSchema,
  type DcsFolder,
  DcsFolderSchema,
  type DcsHost,
  DcsHostSchema,
  DcsMaybeTaskSchema,
  type DcsModifyVolumeRequest,
  type DcsPortGroup,
  DcsPortGroupSchema,
  type DcsSite,
  DcsSiteSchema,
  type DcsTask,
  type DcsTaskRef,
  DcsTaskRefSchema,
  DcsTaskSchema,
  type DcsUpload,
  DcsUploadedFileSchema,
  DcsUploadSchema,
  type DcsVm,
  DcsVmSchema,
  type DcsVolume,
  DcsVolumeSchema,
  dropNulls,
} from './dcs-types.js';

// The VRM serves at most 100 items a page.
const PAGE_SIZE = 100;
// DRS mutual exclusion ("keep these VMs on different hosts").
const ANTI_AFFINITY = 2;
const DrsOperation = { delete: 0, modify: 1, create: 2 } as const;

export type DcsStopMode = 'safe' | 'force';

export interface DcsCloneResult {
  vmUrn: string;
  vmUri: string;
  taskUri: string;
}

export interface DcsCreateVolumeResult {
  volumeUrn: string;
  volumeUri: string;
  taskUri: string;
}

export interface DcsIsoUpload {
  uploadUri: string;
  /** What attachCdrom takes, e.g. `[datastore-1] iso/machine-0.iso`. */
  filePath: string;
  datastoreUrn: string;
  /** True when a complete upload of the same name and size was found and nothing was sent. */
  reused: boolean;
}

export interface DcsRuleChange {
  action: 'created' | 'modified' | 'unchanged';
  /** The rule's index in the cluster, when DCS shows the rule (a new one may appear after its task). */
  ruleIndex: number | undefined;
  /** Set when DCS runs the change as a task. */
  taskUri: string | undefined;
}

export interface DcsRuleDeletion {
  /** False when there was no rule of that name. */
  deleted: boolean;
  taskUri: string | undefined;
}

/**
 * Everything the DCS controllers ask of the platform: DcsClient's methods, which it implements over
 * the wire; a controller test can hand in anything else that has them. Changes answer with the
 * task that runs them: callers keep its URI and look again later (see dcsTaskState) instead of
 * blocking.
 */
export type DcsCloud = Pick<DcsClient, keyof DcsClient>;

/** The part of a session the client uses. */
export type DcsRequester = Pick<DcsSession, 'request'>;

export interface DcsClientOptions {
  /** The DCSCluster's (or Secret's) site id; without it the VRM must have exactly one site. */
  siteId?: string | undefined;
  /** Counts and times every method as one platform call. */
  recorder?: PlatformCallRecorder | undefined;
  /**
   * The account's inventory lookups (site, templates, port groups, datastores, folders), shared by
   * every client of the account; a found item is reused for a while instead of asked for again.
   */
  lookups?: LookupCache | undefined;
}

/**
 * The DCS REST API for one site, over a shared session (which handles login and re-login).
 * Cheap to make: build one per reconcile from the pooled session.
 */
export class DcsClient {
  private site: Promise<DcsSite> | undefined;

  constructor(
    private readonly session: DcsRequester,
    private readonly options: DcsClientOptions = {},
  ) {}

  listSites(): Promise<DcsSite[]> {
    return this.record('ListSites', () => this.fetchSites());
  }

  /** The site with this id (e.g. `EC1C108C`), or the only site when no id is given. */
  resolveSite(siteId?: string): Promise<DcsSite> {
    return siteId === undefined || siteId === this.options.siteId
      ? this.siteOf()
      : this.record('ResolveSite', () => this.pickSite(siteId));
  }

  /** The template with exactly this name, or undefined. */
  findTemplate(name: string): Promise<DcsVm | undefined> {
    return this.lookedUp(`template/${name}`, 'FindTemplate', async () => {
      const site = await this.siteOf();
      const vms = await this.listAll(`${site.uri}/vms`, 'vms', DcsVmSchema, { isTemplate: true, name });
      return vms.find((vm) => vm.name === name && vm.isTemplate !== false);
    });
  }

  /** The VM (not template) with exactly this name, or undefined. */
  findVmByName(name: string): Promise<DcsVm | undefined> {
    return this.record('FindVm', async () => {
      const site = await this.siteOf();
      const vms = await this.listAll(`${site.uri}/vms`, 'vms', DcsVmSchema, { name });
      return vms.find((vm) => vm.name === name && vm.isTemplate !== true);
    });
  }

  /** The VM, or undefined when it no longer exists. */
  getVm(uri: string): Promise<DcsVm | undefined> {
    return this.getIfExists('GetVm', uri, DcsVmSchema);
  }

  resolveCluster(name: string): Promise<DcsCluster> {
    return this.lookedUp(`cluster/${name}`, 'ResolveCluster', () =>
      this.byName('cluster', 'clusters', 'clusters', DcsClusterSchema, name),
    );
  }

  resolveHost(name: string, clusterUrn?: string): Promise<DcsHost> {
    return this.lookedUp(`host/${clusterUrn ?? ''}/${name}`, 'ResolveHost', () =>
      this.byName('host', 'hosts', 'hosts', DcsHostSchema, name, clusterUrn ? { scope: clusterUrn } : {}),
    );
  }

  resolveDatastore(name: string): Promise<DcsDatastore> {
    return this.lookedUp(`datastore/${name}`, 'ResolveDatastore', () =>
      this.byName('datastore', 'datastores', 'datastores', DcsDatastoreSchema, name),
    );
  }

  /** The datastore of the named datastore cluster with the most free space. */
  resolveDatastoreCluster(name: string): Promise<DcsDatastore> {
    return this.lookedUp(`datastore-cluster/${name}`, 'ResolveDatastoreCluster', async () => {
      const group = await this.byName(
        'datastore cluster',
        'datastoreclusters',
        'datastoreClusters',
        DcsDatastoreClusterSchema,
        name,
      );
      const site = await this.siteOf();
      const members = new Set(group.datastores);
      const datastores = (
        await this.listAll(`${site.uri}/datastores`, 'datastores', DcsDatastoreSchema)
      ).filter((datastore) => members.has(datastore.urn));
      // Prefer healthy datastores; a cluster whose members all report another status still
      // yields one, so DCS (not us) gets to say why it cannot place the disk.
      const healthy = datastores.filter(
        (datastore) => (datastore.status ?? 'NORMAL').toUpperCase() === 'NORMAL',
      );
      const candidates = healthy.length > 0 ? healthy : datastores;
      const best = candidates.reduce<DcsDatastore | undefined>(
        (most, datastore) =>
          most && (most.freeSizeGB ?? 0) >= (datastore.freeSizeGB ?? 0) ? most : datastore,
        undefined,
      );
      if (!best) throw new DcsLookupError('datastore of datastore cluster', name, `site ${siteIdOf(site)}`);
      return best;
    });
  }

  resolveFolder(name: string): Promise<DcsFolder> {
    return this.lookedUp(`folder/${name}`, 'ResolveFolder', () =>
      this.byName('folder', 'folders', 'folders', DcsFolderSchema, name),
    );
  }

  resolvePortGroup(dvSwitchName: string, portGroupName: string): Promise<DcsPortGroup> {
    return this.lookedUp(`port-group/${dvSwitchName}/${portGroupName}`, 'ResolvePortGroup', async () => {
      const site = await this.siteOf();
      const switches = await this.list(`${site.uri}/dvswitchs`, 'dvSwitchs', DcsDvSwitchSchema);
      const dvSwitch = switches.find((candidate) => candidate.name === dvSwitchName);
      if (!dvSwitch) throw new DcsLookupError('distributed switch', dvSwitchName, `site ${siteIdOf(site)}`);
      const portGroups = await this.listAll(`${dvSwitch.uri}/portgroups`, 'portGroups', DcsPortGroupSchema, {
        portGroupName,
      });
      const portGroup = portGroups.find((candidate) => candidate.name === portGroupName);
      if (!portGroup)
        throw new DcsLookupError('port group', portGroupName, `distributed switch "${dvSwitchName}"`);
      return portGroup;
    });
  }

  cloneVm(templateUri: string, request: DcsCloneVmRequest): Promise<DcsCloneResult> {
    return this.record('CloneVm', async () => {
      const answer = await this.send(
        'POST',
        `${toUri(templateUri)}/action/clone`,
        DcsCloneResultSchema,
        request,
      );
      return { vmUrn: answer.urn, vmUri: answer.uri, taskUri: answer.taskUri };
    });
  }

  getTask(uri: string): Promise<DcsTask> {
    return this.record('GetTask', () => this.send('GET', uri, DcsTaskSchema));
  }

  startVm(uri: string): Promise<DcsTaskRef> {
    return this.record('StartVm', () => this.send('POST', `${toUri(uri)}/action/start`, DcsTaskRefSchema));
  }

  stopVm(uri: string, mode: DcsStopMode): Promise<DcsTaskRef> {
    return this.record('StopVm', () =>
      this.send('POST', `${toUri(uri)}/action/stop`, DcsTaskRefSchema, { mode }),
    );
  }

  /** Deletes the VM and its own disks; pool volumes must be detached first to survive. */
  deleteVm(uri: string): Promise<DcsTaskRef> {
    return this.record('DeleteVm', () =>
      this.send('DELETE', toUri(uri), DcsTaskRefSchema, undefined, { isReserveDisks: 0 }),
    );
  }

  listVolumes(filter: { name?: string } = {}): Promise<DcsVolume[]> {
    return this.record('ListVolumes', () => this.fetchVolumes(filter.name));
  }

  findVolumeByName(name: string): Promise<DcsVolume | undefined> {
    return this.record('FindVolume', async () =>
      (await this.fetchVolumes(name)).find((volume) => volume.name === name),
    );
  }

  createVolume(request: DcsCreateVolumeRequest): Promise<DcsCreateVolumeResult> {
    return this.record('CreateVolume', async () => {
      const site = await this.siteOf();
      // isThin goes only when the caller sets it: the documented contract leaves DCS its own default.
      const answer = await this.send('POST', `${site.uri}/volumes`, DcsCreateVolumeResultSchema, request);
      return { volumeUrn: answer.urn, volumeUri: answer.uri, taskUri: answer.taskUri };
    });
  }

  attachVolume(
    vmUri: string,
    volumeUrn: string,
    sequenceNum?: number,
    pciType?: string,
  ): Promise<DcsTaskRef> {
    return this.record('AttachVolume', () =>
      this.send('POST', `${toUri(vmUri)}/action/attachvol`, DcsTaskRefSchema, {
        volUrn: toUrn(volumeUrn),
        ...(sequenceNum === undefined ? {} : { sequenceNum }),
        ...(pciType === undefined ? {} : { pciType }),
      }),
    );
  }

  detachVolume(vmUri: string, volumeUrn: string): Promise<DcsTaskRef> {
    return this.record('DetachVolume', () =>
      this.send('POST', `${toUri(vmUri)}/action/detachvol`, DcsTaskRefSchema, { volUrn: toUrn(volumeUrn) }),
    );
  }

  /** The volume at this URI or URN, or undefined when DCS does not know it. */
  getVolume(uriOrUrn: string): Promise<DcsVolume | undefined> {
    return this.getIfExists('GetVolume', uriOrUrn, DcsVolumeSchema);
  }

  /**
   * FusionCompute's modify volume (`PUT <volume uri>`): a rename, or the conversion of a stock volume
   * to an independent shared one. The eSDK reads no task from it; should a VRM answer with one, its
   * URI is returned for the caller to follow.
   */
  modifyVolume(uriOrUrn: string, change: DcsModifyVolumeRequest): Promise<{ taskUri?: string | undefined }> {
    return this.record('ModifyVolume', async () => {
      const answer = await this.send('PUT', toUri(uriOrUrn), DcsMaybeTaskSchema, change);
      return { taskUri: answer?.taskUri };
    });
  }

  /** The URNs of the datastores a datastore cluster groups. */
  datastoreClusterMembers(name: string): Promise<string[]> {
    return this.lookedUp(`datastore-cluster-members/${name}`, 'ResolveDatastoreCluster', async () => {
      const group = await this.byName(
        'datastore cluster',
        'datastoreclusters',
        'datastoreClusters',
        DcsDatastoreClusterSchema,
        name,
      );
      return [...group.datastores];
    });
  }

  deleteVolume(uri: string): Promise<DcsTaskRef> {
    return this.record('DeleteVolume', () => this.send('DELETE', toUri(uri), DcsTaskRefSchema));
  }

  /** The upload of this file name (on this datastore, URI or URN, when given), or undefined. */
  findUpload(fileName: string, datastore?: string): Promise<DcsUpload | undefined> {
    return this.record('FindUpload', () => this.fetchUpload(fileName, datastore && toUrn(datastore)));
  }

  /** Uploads an ISO to a datastore (URI or URN); reuses a complete upload of the same name and size. */
  uploadIso(datastore: string, fileName: string, bytes: Uint8Array): Promise<DcsIsoUpload> {
    return this.record('UploadIso', async () => {
      const datastoreUri = toUri(datastore);
      const datastoreUrn = toUrn(datastore);
      const existing = await this.fetchUpload(fileName, datastoreUrn);
      if (existing?.complete) {
        // Machine ISOs are named per machine and written once, so a complete upload of the
        // same size is ours from an earlier reconcile that did not get to record it.
        if (existing.size === undefined || existing.size === bytes.byteLength)
          return { uploadUri: existing.uri, filePath: existing.filePath, datastoreUrn, reused: true };
        await this.removeUpload(existing.uri);
      }
      const applied = await this.send('POST', `${datastoreUri}/action/applyUpload`, DcsApplyUploadSchema, {
        fileName,
        fileSize: bytes.byteLength,
      });
      const stored = parse(
        DcsUploadedFileSchema,
        (await this.session.request({ method: 'PUT', path: applied.uploadUri, bytes })).body,
        'PUT',
        applied.uploadUri,
      );
      if (stored.sha256 && stored.sha256.toLowerCase() !== createHash('sha256').update(bytes).digest('hex'))
        throw new DcsResponseError(
          'PUT',
          applied.uploadUri,
          'the stored file differs from the ISO sent (SHA-256)',
        );
      return {
        uploadUri: applied.uploadUri,
        filePath: stored.filePath ?? applied.filePath,
        datastoreUrn,
        reused: false,
      };
    });
  }

  /** Removes an uploaded file; one that is already gone counts as removed. */
  deleteUpload(uploadUri: string): Promise<void> {
    return this.record('DeleteUpload', () => this.removeUpload(uploadUri));
  }

  attachCdrom(vmUri: string, filePath: string, datastoreUrn: string): Promise<DcsTaskRef> {
    return this.record('AttachCdrom', () =>
      this.send('POST', `${toUri(vmUri)}/action/attachCdrom`, DcsTaskRefSchema, {
        cdromFile: filePath,
        datastoreUrn: toUrn(datastoreUrn),
      }),
    );
  }

  detachCdrom(vmUri: string): Promise<DcsTaskRef> {
    return this.record('DetachCdrom', () =>
      this.send('POST', `${toUri(vmUri)}/action/detachCdrom`, DcsTaskRefSchema, {}),
    );
  }

  getCluster(uri: string): Promise<DcsCluster> {
    return this.record('GetCluster', () => this.send('GET', toUri(uri), DcsClusterSchema));
  }

  /**
   * Creates or modifies the named mutual-exclusion rule so that it holds exactly these VMs. A new
   * rule exists once its task is done: call again only after that, or DCS refuses a second create.
   */
  ensureAntiAffinityRule(
    clusterUri: string,
    ruleName: string,
    vmUrns: readonly string[],
  ): Promise<DcsRuleChange> {
    return this.record('EnsureDrsRule', async () => {
      const uri = toUri(clusterUri);
      const wanted = [...new Set(vmUrns)].sort();
      const rule = await this.findRule(uri, ruleName);
      if (rule && Number(rule.ruleType) === ANTI_AFFINITY && sameMembers(rule.vms, wanted))
        return { action: 'unchanged', ruleIndex: rule.ruleIndex, taskUri: undefined };
      const change = rule
        ? {
            operationType: DrsOperation.modify,
            ruleIndex: rule.ruleIndex,
            ruleName,
            ruleType: ANTI_AFFINITY,
            vms: wanted,
          }
        : { operationType: DrsOperation.create, ruleName, ruleType: ANTI_AFFINITY, vms: wanted };
      const answer = await this.send('PUT', uri, DcsMaybeTaskSchema, { drsSetting: { drsRules: [change] } });
      // DCS numbers a new rule itself. A change run as a task shows only once the task is done
      // (the caller reads the index then); one applied at once can be read back now.
      const ruleIndex =
        rule?.ruleIndex ?? (answer?.taskUri ? undefined : (await this.findRule(uri, ruleName))?.ruleIndex);
      return { action: rule ? 'modified' : 'created', ruleIndex, taskUri: answer?.taskUri };
    });
  }

  deleteRule(clusterUri: string, ruleName: string): Promise<DcsRuleDeletion> {
    return this.record('DeleteDrsRule', async () => {
      const uri = toUri(clusterUri);
      const rule = await this.findRule(uri, ruleName);
      if (!rule) return { deleted: false, taskUri: undefined };
      const change = {
        operationType: DrsOperation.delete,
        ruleIndex: rule.ruleIndex,
        ruleName,
        ruleType: rule.ruleType,
      };
      const answer = await this.send('PUT', uri, DcsMaybeTaskSchema, { drsSetting: { drsRules: [change] } });
      return { deleted: true, taskUri: answer?.taskUri };
    });
  }

  // ---- internals: none of these record, so one public method counts as one platform call ----

  /** A lookup through the account's cache, keyed within this client's site. */
  private lookedUp<T>(key: string, operation: string, call: () => Promise<T>): Promise<T> {
    const lookups = this.options.lookups;
    if (!lookups) return this.record(operation, call);
    return lookups.get(`${this.options.siteId ?? ''}/${key}`, () => this.record(operation, call));
  }

  /** GET of one object by URI or URN; undefined when DCS answers that it does not exist. */
  private getIfExists<S extends z.ZodType>(
    operation: string,
    uriOrUrn: string,
    schema: S,
  ): Promise<z.output<S> | undefined> {
    return this.record(operation, async () => {
      try {
        return await this.send('GET', toUri(uriOrUrn), schema);
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    });
  }

  private record<T>(operation: string, call: () => Promise<T>): Promise<T> {
    return this.options.recorder ? this.options.recorder.record(operation, call) : call();
  }

  private async send<S extends z.ZodType>(
    method: DcsRequest['method'],
    path: string,
    schema: S,
    body?: unknown,
    query?: DcsRequest['query'],
  ): Promise<z.output<S>> {
    const response = await this.session.request({ method, path, body, query });
    return parse(schema, response.body, method, path);
  }

  /** An unpaged list (sites, distributed switches). */
  private async list<S extends z.ZodType>(path: string, key: string, schema: S): Promise<Array<z.output<S>>> {
    const response = await this.session.request({ method: 'GET', path });
    return parse(z.array(schema).default([]), itemsOf(response.body, key), 'GET', path);
  }

  /** Every page of a paged list. */
  private async listAll<S extends z.ZodType>(
    path: string,
    key: string,
    schema: S,
    query: Record<string, string | number | boolean | undefined> = {},
  ): Promise<Array<z.output<S>>> {
    const items: Array<z.output<S>> = [];
    for (let offset = 0; ; ) {
      const response = await this.session.request({
        method: 'GET',
        path,
        query: { ...query, limit: PAGE_SIZE, offset },
      });
      const page = parse(z.array(schema).default([]), itemsOf(response.body, key), 'GET', path);
      const total = z.coerce.number().safeParse((response.body as { total?: unknown } | undefined)?.total);
      items.push(...page);
      offset += page.length;
      if (page.length < PAGE_SIZE || (total.success && offset >= total.data)) return items;
    }
  }

  private async byName<S extends z.ZodType<{ name: string }>>(
    kind: string,
    collection: string,
    key: string,
    schema: S,
    name: string,
    query: Record<string, string> = {},
  ): Promise<z.output<S>> {
    const site = await this.siteOf();
    const items = await this.listAll(`${site.uri}/${collection}`, key, schema, { ...query, name });
    const found = items.find((item) => item.name === name);
    if (!found) throw new DcsLookupError(kind, name, `site ${siteIdOf(site)}`);
    return found;
  }

  private fetchSites(): Promise<DcsSite[]> {
    return this.list('/service/sites', 'sites', DcsSiteSchema);
  }

  /** The client's site, looked up once per client (and per account for a while, with `lookups`). */
  private siteOf(): Promise<DcsSite> {
    // Recorded when DCS is asked, not when the account's lookup answers.
    const pick = () => this.record('ResolveSite', () => this.pickSite(this.options.siteId));
    this.site ??= (
      this.options.lookups ? this.options.lookups.get(`${this.options.siteId ?? ''}/site`, pick) : pick()
    ).catch((error: unknown) => {
      this.site = undefined;
      throw error;
    });
    return this.site;
  }

  private async pickSite(siteId: string | undefined): Promise<DcsSite> {
    const sites = await this.fetchSites();
    if (siteId) {
      const id = siteId.toLowerCase();
      const site = sites.find(
        (candidate) =>
          candidate.urn.toLowerCase() === `urn:sites:${id}` ||
          candidate.uri.toLowerCase().endsWith(`/sites/${id}`),
      );
      if (!site)
        throw new DcsLookupError('site', siteId, `this VRM (sites: ${sites.map(siteIdOf).join(', ')})`);
      return site;
    }
    const [only, ...others] = sites;
    if (!only) throw new DcsLookupError('site', '(any)', 'this VRM');
    if (others.length > 0)
      throw new Error(
        `DCS has ${sites.length} sites (${sites.map(siteIdOf).join(', ')}); set the site to use`,
      );
    return only;
  }

  private async fetchVolumes(name: string | undefined): Promise<DcsVolume[]> {
    const site = await this.siteOf();
    return this.listAll(`${site.uri}/volumes`, 'volumes', DcsVolumeSchema, { name });
  }

  private async fetchUpload(
    fileName: string,
    datastoreUrn: string | undefined,
  ): Promise<DcsUpload | undefined> {
    const site = await this.siteOf();
    const uploads = await this.listAll(`${site.uri}/uploads`, 'uploads', DcsUploadSchema, { fileName });
    return uploads.find(
      (upload) =>
        upload.fileName === fileName &&
        (datastoreUrn === undefined ||
          upload.datastoreUrn === undefined ||
          upload.datastoreUrn === datastoreUrn),
    );
  }

  private async removeUpload(uploadUri: string): Promise<void> {
    try {
      await this.session.request({ method: 'DELETE', path: uploadUri });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  private async findRule(clusterUri: string, ruleName: string) {
    const cluster = await this.send('GET', clusterUri, DcsClusterSchema);
    return cluster.drsSetting?.drsRules.find((rule) => rule.ruleName === ruleName);
  }
}

function itemsOf(body: unknown, key: string): unknown {
  return body && typeof body === 'object' ? (body as Record<string, unknown>)[key] : undefined;
}

function parse<S extends z.ZodType>(schema: S, value: unknown, method: string, path: string): z.output<S> {
  const result = schema.safeParse(dropNulls(value));
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue?.path.length ? issue.path.join('.') : 'body';
  throw new DcsResponseError(method, path, `${where}: ${issue?.message ?? 'invalid'}`);
}

function sameMembers(current: readonly string[], wanted: readonly string[]): boolean {
  const have = new Set(current);
  return have.size === wanted.length && wanted.every((urn) => have.has(urn));
}

function siteIdOf(site: DcsSite): string {
  return site.urn.split(':').pop() ?? site.urn;
}
