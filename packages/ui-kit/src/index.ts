/**
 * Framework-free pieces for provider UI extensions of Fleet Essentials:
 * fields that show their problem next to them (linked by aria-describedby,
 * marked aria-invalid), resource lists, buttons, loading, empty and error
 * states, all styled from the host's design tokens, a typed client of the
 * extension's platform operations, and the credential list and form every
 * provider shows the same way. Bundled into a provider's extension; core
 * is used for types only.
 */
export {
  type CredentialAnnotations,
  type CredentialField,
  type CredentialFormSpec,
  type CredentialListSpec,
  type CredentialSecret,
  credentialNameProblems,
  isAlreadyExists,
  listCredentialSecrets,
  mountCredentialForm,
  mountCredentialList,
  runConnectionTest,
  secretsPath,
  writeFailureProblem,
} from './credentials.js';
export { DESIGN_TOKENS, type DesignToken, token } from './design-tokens.js';
export {
  actionName,
  button,
  type Child,
  card,
  describeError,
  type ElementProps,
  emptyState,
  extensionRoot,
  h,
  hint,
  loadingState,
  problemLine,
  showOutcome,
  table,
} from './elements.js';
export {
  type Choice,
  type FieldOptions,
  fieldGroup,
  formSummary,
  numberField,
  problemSlotId,
  problemSlotPath,
  selectField,
  showProblems,
  textAreaField,
  textField,
} from './fields.js';
export {
  type Cidr,
  type CidrParse,
  cidrsOverlap,
  formatCidr,
  formatIpv4,
  maskPrefix,
  networkOf,
  parseCidr,
  parseIpv4,
  sameSubnet,
} from './ipv4.js';
export { platformClient } from './platform-client.js';
export {
  type DeleteBlocker,
  type ListRowActions,
  mountResourceList,
  type ResourceListSpec,
} from './resource-list.js';
export { KIT_CLASSES, KIT_STYLESHEET } from './styles.js';
