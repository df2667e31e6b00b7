import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  bootstrapVipUnit,
  cloudInitBootstrapVip,
  composeCloudInit,
  runsKubeadmInit,
  withIgnitionUnits,
} from '../src/index.js';

// What the kubeadm bootstrap provider writes for the first control plane node and a joining one.
const initData = [
  '#cloud-config',
  'write_files:',
  '- path: /run/kubeadm/kubeadm.yaml',
  '  content: |',
  '    apiVersion: kubeadm.k8s.io/v1beta3',
  '    kind: InitConfiguration',
  'runcmd:',
  "- 'kubeadm init --config /run/kubeadm/kubeadm.yaml'",
  '',
].join('\n');
const joinData = initData
  .replace('kind: InitConfiguration', 'kind: JoinConfiguration')
  .replaceAll('kubeadm init', 'kubeadm join');
const dataUrl = (text: string) => `data:;base64,${Buffer.from(text).toString('base64')}`;

describe('the bootstrap VIP of a self-built VIP', () => {
  it('goes to the node that runs kubeadm init only, in cloud-init or Ignition', () => {
    expect(runsKubeadmInit({ format: 'cloud-config', value: initData })).toBe(true);
    expect(runsKubeadmInit({ format: 'cloud-config', value: joinData })).toBe(false);
    const ignition = (text: string) => ({
      format: 'ignition' as const,
      value: JSON.stringify({ storage: { files: [{ contents: { source: dataUrl(text) } }] } }),
    });
    expect(runsKubeadmInit(ignition('kind: InitConfiguration\n'))).toBe(true);
    expect(runsKubeadmInit(ignition('kind: JoinConfiguration\n'))).toBe(false);
  });

  it('puts the VIP on the named interface, else the node IP one, else the default route one', () => {
    const unit = (input: { nodeIp?: string; interfaceName?: string }) =>
      bootstrapVipUnit({ name: 'x-bootstrap-vip.service', vip: '10.0.1.100', startAtBoot: false, ...input })
        .contents;
    expect(unit({ nodeIp: '10.0.1.11', interfaceName: 'ens192' })).toContain(
      'ExecStart=/bin/sh -c "ip addr replace 10.0.1.100/32 dev ens192"',
    );
    expect(unit({ nodeIp: '10.0.1.11' })).toContain(
      "dev $$(ip -o -4 addr show to 10.0.1.11/32 | cut -d' ' -f2)",
    );
    expect(unit({})).toContain("dev $$(ip -o -4 route show default | cut -d' ' -f5)");
    // Started once by cloud-init: nothing brings it back on a reboot, beside alive's keepalived.
    expect(unit({})).not.toContain('[Install]');
    expect(bootstrapVipUnit({ name: 'x.service', vip: '10.0.1.100', startAtBoot: true }).contents).toContain(
      '[Install]\nWantedBy=multi-user.target',
    );
  });

  it('is started by the first runcmd entry, before kubeadm, and stops it when it fails', () => {
    const vip = cloudInitBootstrapVip({
      name: 'capv-bootstrap-vip.service',
      vip: '10.0.1.100',
      nodeIp: '10.0.1.11',
    });
    const config = parse(
      composeCloudInit(
        { format: 'cloud-config', value: initData },
        { hostname: 'cp-01', disks: [], tokens: {}, files: vip.files, runFirst: vip.runFirst },
      ),
    ) as { runcmd: string[]; write_files: { path: string; content: string; permissions: string }[] };
    expect(config.runcmd).toEqual([
      'systemctl daemon-reload && systemctl start capv-bootstrap-vip.service || exit 1',
      'kubeadm init --config /run/kubeadm/kubeadm.yaml',
    ]);
    expect(config.write_files.map((f) => f.path)).toEqual([
      '/run/kubeadm/kubeadm.yaml',
      '/etc/systemd/system/capv-bootstrap-vip.service',
    ]);
    expect(config.write_files[1]?.content).toContain('ip addr replace 10.0.1.100/32');
  });

  it('is added to Ignition as an enabled unit in place of one of the same name', () => {
    const data = {
      format: 'ignition' as const,
      value: JSON.stringify({
        systemd: { units: [{ name: 'x.service', contents: 'old' }, { name: 'y.service' }] },
      }),
    };
    const unit = bootstrapVipUnit({ name: 'x.service', vip: '10.0.1.100', startAtBoot: true });
    const out = JSON.parse(withIgnitionUnits(data, [unit]).value);
    expect(out.systemd.units).toEqual([
      { name: 'y.service' },
      { name: 'x.service', enabled: true, contents: unit.contents },
    ]);
    expect(withIgnitionUnits(data, [])).toBe(data);
  });
});
