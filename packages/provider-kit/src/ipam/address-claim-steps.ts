/**
 * The two machine steps around Cluster API's IPAM contract (see address-claims.ts): claim the
 * machine's addresses before its VM or server is made, release them on its delete. Any provider
 * whose NICs name `addressesFromPools` uses them as they are; its status carries the kit's
 * `AddressClaimRecord` list as `addressClaims` and the answers as `claimedAddresses`.
 */
import {
  type ConditionInput,
  done,
  falseCondition,
  type KubeClient,
  requeue,
  type Step,
  trueCondition,
} from '@immutable-infra/core';
import {
  type AddressClaimRequest,
  type ClaimedAddress,
  claimAddresses,
  IPAM_API_VERSION,
  recordAddressClaims,
  releaseAddressClaims,
} from './address-claims.js';

/** What the steps read and write of a machine's reconcile. */
export interface AddressClaimContext {
  kube: KubeClient;
  object: { metadata: { name: string; namespace?: string | undefined; uid?: string | undefined } };
  /** The machine's Cluster: on delete it may be gone already, and is not read then. */
  cluster: { metadata: { name: string } };
  status: {
    /** The claims asked for, recorded before each is created. */
    addressClaims?: AddressClaimRequest[] | undefined;
    /** The addresses the claims gave, once every claim has one. */
    claimedAddresses?: ClaimedAddress[] | undefined;
  };
  saveStatus(): Promise<void>;
  setCondition(condition: ConditionInput): void;
}

export interface AddressClaimStepOptions<Run> {
  /** The infrastructure machine's kind: the claims' controller. */
  owner: { apiVersion: string; kind: string };
  /** Holds each claim until the machine's delete released it. */
  finalizer: string;
  /** The machine's claims now (its NICs' pools, say, else its failure domain's). */
  requests(run: Run): AddressClaimRequest[];
  /** The condition that shows the claims: CAPV's `IPAddressClaimed`. */
  conditionType: string;
  /** While an address is awaited: the machine's main condition may say so too. */
  onWaiting?: ((run: Run, message: string) => void) | undefined;
  /** `ClaimIPAddresses` and `ReleaseIPAddresses` by default. */
  names?: { claim: string; release: string } | undefined;
}

/**
 * `claim`: an IPAddressClaim per request, only while none is recorded as bound, so the guest gets its
 * addresses in its first configuration and later reconciles read no claim. `release`: the recorded
 * claims plus every claim the machine controls (the net for claims made before the record existed),
 * which needs neither the Machine, the Cluster nor whatever named the pools.
 */
export function addressClaimSteps<Run extends { ctx: AddressClaimContext }>(
  options: AddressClaimStepOptions<Run>,
): { claim: Step<Run>; release: Step<Run> } {
  const namespaceOf = (ctx: AddressClaimContext) => ctx.object.metadata.namespace ?? 'default';
  const claim: Step<Run> = {
    name: options.names?.claim ?? 'ClaimIPAddresses',
    when: (run) => options.requests(run).length > 0 && run.ctx.status.claimedAddresses === undefined,
    async run(run) {
      const { ctx } = run;
      const requests = options.requests(run);
      // Recorded (and saved) before any claim is created, so the delete knows every claim by name even
      // when whatever named its pool is gone by then.
      const recorded = recordAddressClaims(ctx.status.addressClaims, requests);
      if (recorded) {
        ctx.status.addressClaims = recorded;
        await ctx.saveStatus();
      }
      const owner = {
        ...options.owner,
        name: ctx.object.metadata.name,
        namespace: namespaceOf(ctx),
        uid: ctx.object.metadata.uid ?? '',
        clusterName: ctx.cluster.metadata.name,
      };
      const progress = await claimAddresses(ctx.kube, owner, requests, options.finalizer);
      if (progress.type === 'bound') {
        ctx.status.claimedAddresses = progress.addresses;
        ctx.setCondition(trueCondition(options.conditionType, 'Claimed'));
        return done();
      }
      ctx.setCondition(falseCondition(options.conditionType, progress.reason, progress.message));
      options.onWaiting?.(run, progress.message);
      return requeue(5_000, progress.message, {
        object: {
          apiVersion: IPAM_API_VERSION,
          kind: 'IPAddressClaim',
          namespace: namespaceOf(ctx),
          name: progress.claim,
        },
      });
    },
  };
  const release: Step<Run> = {
    name: options.names?.release ?? 'ReleaseIPAddresses',
    async run({ ctx }) {
      const { status } = ctx;
      const claims = [...(status.addressClaims ?? []), ...(status.claimedAddresses ?? [])].map(
        (a) => a.claim,
      );
      const holder = { namespace: namespaceOf(ctx), uid: ctx.object.metadata.uid ?? '' };
      await releaseAddressClaims(ctx.kube, holder, claims, options.finalizer);
      delete status.addressClaims;
      delete status.claimedAddresses;
      return done();
    },
  };
  return { claim, release };
}
