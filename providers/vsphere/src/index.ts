// The vSphere provider, in progress: the vSphere Web Services (vim25 SOAP) client and the kinds
// with their CRDs. Controllers and the UI extension follow (see the README).
export * from './api/index.js';
export * from './cloud/index.js';
