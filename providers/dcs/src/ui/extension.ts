/**
 * The browser bundle of the DCS extension: one named export per entry of
 * ui-extension.json. Everything it needs is bundled in; it shares nothing
 * with the host but the anchor contract.
 */
export { credentialForm } from './credentials/credential-form.js';
export { credentialList } from './credentials/credential-list.js';
