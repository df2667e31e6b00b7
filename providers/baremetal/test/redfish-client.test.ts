// The pure parts of the Redfish client: BMC addresses as Metal3 writes them, Redfish error bodies,
// hardware facts and their one-line summary on the MachineInventory.
import { describe, expect, it } from 'vitest';
import { REDFISH_ADDRESS } from '../src/api/baremetal-host.js';
import { hardwareOf, parseRedfishAddress, readRedfishError } from '../src/cloud/redfish.js';
import { hardwareSummary } from '../src/controllers/baremetal-host-controller.js';

describe('Redfish BMC addresses', () => {
  it('reads HTTPS, plain HTTP and the system path', () => {
    expect(parseRedfishAddress('redfish+https://bmc.example:8443/redfish/v1/Systems/1')).toEqual({
      endpoint: 'https://bmc.example:8443',
      systemPath: '/redfish/v1/Systems/1',
      plainHttp: false,
    });
    expect(parseRedfishAddress('redfish://10.0.0.5/redfish/v1/Systems/System.Embedded.1')).toEqual({
      endpoint: 'https://10.0.0.5',
      systemPath: '/redfish/v1/Systems/System.Embedded.1',
      plainHttp: false,
    });
    expect(parseRedfishAddress('redfish+http://[fd00::5]:8000/redfish/v1/Systems/abc')).toEqual({
      endpoint: 'http://[fd00::5]:8000',
      systemPath: '/redfish/v1/Systems/abc',
      plainHttp: true,
    });
  });

  it('refuses what is no Redfish system address, as the CRD pattern does', () => {
    for (const address of [
      'ipmi://10.0.0.5:623',
      'https://10.0.0.5/redfish/v1/Systems/1',
      'redfish+https://10.0.0.5/redfish/v1/Systems',
      'redfish+https://10.0.0.5/redfish/v1/Systems/1/Bios',
      'redfish+https://user:pw@10.0.0.5/redfish/v1/Systems/1',
      'redfish+https://10.0.0.5:99999/redfish/v1/Systems/1',
    ]) {
      expect(parseRedfishAddress(address), address).toBeUndefined();
    }
    expect(REDFISH_ADDRESS.test('ipmi://10.0.0.5:623')).toBe(false);
    expect(REDFISH_ADDRESS.test('redfish+https://10.0.0.5/redfish/v1/Systems/1')).toBe(true);
  });
});

describe('Redfish answers', () => {
  it('reads the extended message of an error and calls 401 and 403 a refused login', () => {
    const body = {
      error: {
        code: 'Base.1.8.GeneralError',
        message: 'A general error has occurred.',
        '@Message.ExtendedInfo': [{ Message: 'The action requires a virtual media device.' }],
      },
    };
    expect(readRedfishError({ status: 400, body, text: '', operation: 'POST x' })).toEqual({
      platformCode: 'Base.1.8.GeneralError',
      message: 'The action requires a virtual media device.',
    });
    expect(readRedfishError({ status: 401, body: undefined, text: 'no', operation: 'GET x' })).toEqual({
      kind: 'LoginRefused',
    });
    expect(readRedfishError({ status: 403, body: undefined, text: '', operation: 'GET x' })?.kind).toBe(
      'LoginRefused',
    );
  });

  it('keeps the hardware facts the BMC gives and leaves out the rest', () => {
    const hardware = hardwareOf(
      {
        UUID: 'ABCD-1',
        Manufacturer: 'Dell Inc.',
        Model: 'PowerEdge R650',
        SerialNumber: 'SN1',
        BiosVersion: '1.2.3',
        ProcessorSummary: { Count: 2, Model: 'Xeon' },
        MemorySummary: { TotalSystemMemoryGiB: 256 },
      },
      [{ name: 'NIC.1', mac: 'aa:bb:cc:dd:ee:ff' }],
    );
    expect(hardware).toEqual({
      manufacturer: 'Dell Inc.',
      model: 'PowerEdge R650',
      serialNumber: 'SN1',
      systemUUID: 'abcd-1',
      biosVersion: '1.2.3',
      cpu: { count: 2, model: 'Xeon' },
      memoryGiB: 256,
      nics: [{ name: 'NIC.1', mac: 'aa:bb:cc:dd:ee:ff' }],
    });
    expect(hardwareSummary(hardware)).toBe('Dell Inc. PowerEdge R650, 2 CPUs, 256 GiB, 1 NICs');
    expect(hardwareOf({}, [])).toEqual({});
    expect(hardwareSummary({})).toBe('unknown');
  });
});
