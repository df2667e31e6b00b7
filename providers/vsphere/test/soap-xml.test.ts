import { describe, expect, it } from 'vitest';
import { readSoapFault } from '../src/cloud/vsphere-faults.js';
import { element, envelope, parseXml, readValue, ref, typedText, VsphereFault } from '../src/index.js';

describe('vim25 XML', () => {
  it('writes a linked clone spec in WSDL order with the snapshot and createNewChildDiskBacking', () => {
    const body = envelope(
      'CloneVM_Task',
      { type: 'VirtualMachine', value: 'vm-1' },
      {
        folder: ref({ type: 'Folder', value: 'group-v3' }),
        name: 'a<b',
        spec: {
          location: {
            diskMoveType: 'createNewChildDiskBacking',
            pool: ref({ type: 'ResourcePool', value: 'resgroup-9' }),
          },
          template: false,
          config: {
            numCPUs: 2,
            extraConfig: [{ key: 'guestinfo.userdata', value: typedText('xsd:string', 'x&y') }],
          },
          powerOn: false,
          snapshot: ref({ type: 'VirtualMachineSnapshot', value: 'snapshot-7' }),
        },
      },
    );
    expect(body).toContain(
      '<CloneVM_Task xmlns="urn:vim25"><_this type="VirtualMachine">vm-1</_this><folder type="Folder">group-v3</folder><name>a&lt;b</name>' +
        '<spec><location><diskMoveType>createNewChildDiskBacking</diskMoveType><pool type="ResourcePool">resgroup-9</pool></location>' +
        '<template>false</template><config><numCPUs>2</numCPUs><extraConfig><key>guestinfo.userdata</key>' +
        '<value xsi:type="xsd:string">x&amp;y</value></extraConfig></config><powerOn>false</powerOn>' +
        '<snapshot type="VirtualMachineSnapshot">snapshot-7</snapshot></spec></CloneVM_Task>',
    );
    expect(element('skipped', undefined)).toBe('');
  });

  it('reads references, arrays and typed empty values; classifies a SOAP fault by its detail type', () => {
    const xml = `<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>
      <soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>The object 'vim.VirtualMachine:vm-9' has already been deleted or has not been completely created</faultstring>
      <detail><ManagedObjectNotFoundFault xmlns="urn:vim25" xsi:type="ManagedObjectNotFound"><obj type="VirtualMachine">vm-9</obj></ManagedObjectNotFoundFault></detail></soapenv:Fault>
      </soapenv:Body></soapenv:Envelope>`;
    const body = (parseXml(xml)['soapenv:Envelope'] as Record<string, unknown>)['soapenv:Body'];
    const fault = readSoapFault(body, 'PowerOnVM_Task(VirtualMachine)', 500);
    expect(fault).toBeInstanceOf(VsphereFault);
    expect(fault).toMatchObject({ kind: 'NotFound', faultType: 'ManagedObjectNotFound' });
    expect(fault?.message).toContain('(VirtualMachine vm-9)');

    const values = parseXml(
      '<r xmlns:xsi="x"><a type="Folder">group-1</a><b xsi:type="ArrayOfString"><string>1</string><string>2</string></b><c xsi:type="InvalidPowerState"/><d>007</d></r>',
    );
    expect(readValue(values.r)).toEqual({
      a: { type: 'Folder', value: 'group-1' },
      b: ['1', '2'],
      c: { _type: 'InvalidPowerState' },
      d: '007',
    });
  });
});
