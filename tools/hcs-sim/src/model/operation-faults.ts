import type { SeededRandom } from '@immutable-infra/simulator-kit';
import type { OperationError, ResolvedFaults } from './faults.js';
import { HcsError } from './hcs-error.js';

/** Applies the `operationErrors` fault: a matching call answers the configured error. */
export class OperationFaults {
  private readonly used = new Map<OperationError, number>();

  constructor(
    private readonly faults: () => ResolvedFaults,
    private readonly random: SeededRandom,
  ) {}

  check(operation: string): void {
    for (const fault of this.faults().operationErrors) {
      if (fault.operation !== '*' && fault.operation !== operation) continue;
      const used = this.used.get(fault) ?? 0;
      if (fault.times !== undefined && used >= fault.times) continue;
      if (fault.rate < 1 && !this.random.chance(fault.rate)) continue;
      this.used.set(fault, used + 1);
      throw new HcsError(fault.status, fault.code, fault.message);
    }
  }

  /** Forgets how often each fault fired (new settings start counting again). */
  reset(): void {
    this.used.clear();
  }
}
