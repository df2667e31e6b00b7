export {
  CAPI_CONTRACT_VERSIONS,
  CAPI_GROUP,
  type CapiContractVersion,
  type ContractVersionMap,
  contractLabels,
  INFRASTRUCTURE_GROUP,
} from './capi/contract.js';
