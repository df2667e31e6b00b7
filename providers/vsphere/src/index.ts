// The vSphere provider, first slice: the vSphere Web Services (vim25 SOAP) client. Kinds,
// controllers and the UI extension follow (see the README).
export * from './cloud/index.js';
