import { spawnSync } from 'child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { synthCluster } from './support/synth';

/**
 * The hostile SRE review of the boot: the REAL user data of a launch template, as synthesised, run
 * under bash with stub commands. The script writes to absolute paths (/etc, /opt, /usr/local, /var),
 * so it runs chrooted into an overlay of / in a private mount namespace (`unshare --mount`): every
 * write lands in a temporary upper directory, the machine is untouched. Needs root and overlayfs;
 * skipped (with a warning) where they are missing.
 */

const FS_ID = 'fs-0123456789abcdef0';
const MOUNT_NAME = 'abcdefgh';

/** The user data of the first launch template of a stack, with the storage stack's imports filled in. */
function realUserData(preset: string, stackSuffix: string): string {
  const synth = synthCluster({ preset });
  const id = synth.stackIds().find((s) => s.endsWith(stackSuffix))!;
  const lt = Object.values(synth.template(id).findResources('AWS::EC2::LaunchTemplate'))[0] as any;
  const ud = lt.Properties.LaunchTemplateData.UserData['Fn::Base64'];
  const parts: unknown[] = typeof ud === 'string' ? [ud] : ud['Fn::Join'][1];
  return parts
    .map((p) => {
      if (typeof p === 'string') return p;
      const s = JSON.stringify(p);
      if (s.includes('URLSuffix')) return 'amazonaws.com';
      if (s.includes('LustreMountName')) return MOUNT_NAME;
      if (s.includes('FileSystem')) return FS_ID;
      throw new Error(`unexpected token in user data: ${s}`);
    })
    .join('');
}

interface Node {
  devices: number;
  coresPerDevice: number[] | number;
  efa: number;
  nvme: number;
  fsxFs: string;
  fsxOptions: string;
  restarts: number;
  /** complete-lifecycle-action fails this many times before it succeeds (-1: always). */
  completeFails: number;
  /** IMDS token requests fail this many times first. */
  tokenFails: number;
  /** A second boot of the same instance: /scratch already mounted, the lifecycle action gone. */
  rebooted: boolean;
  infiniband: number;
  kefalnd: boolean;
}

const STUBS: Record<string, string> = {
  aws: [
    'echo "aws $*" >> "$STUB_LOG/aws.log"',
    'case "$*" in',
    '  *complete-lifecycle-action*)',
    '    if [ "$STUB_REBOOTED" = yes ]; then echo "An error occurred (ValidationError): No active Lifecycle Action found with instance ID" >&2; exit 254; fi',
    '    n=$(($(cat "$STUB_LOG/complete.n" 2>/dev/null || echo 0) + 1)); echo "$n" > "$STUB_LOG/complete.n"',
    '    if [ "$STUB_COMPLETE_FAILS" -lt 0 ] || [ "$n" -le "$STUB_COMPLETE_FAILS" ]; then echo "Could not connect to the endpoint URL" >&2; exit 255; fi ;;',
    'esac',
  ].join('\n'),
  curl: [
    'case "$*" in',
    '  *api/token*) n=$(($(cat "$STUB_LOG/token.n" 2>/dev/null || echo 0) + 1)); echo "$n" > "$STUB_LOG/token.n"',
    '    if [ "$n" -le "$STUB_TOKEN_FAILS" ]; then exit 28; fi; echo token ;;',
    '  *X-aws-ec2-metadata-token:\\ token*instance-id*) echo i-0123456789abcdef0 ;;',
    '  *X-aws-ec2-metadata-token:\\ token*groupName*) echo rainier-ohio-dev-Group ;;',
    '  *) exit 22 ;;',
    'esac',
  ].join('\n'),
  sleep: 'echo "sleep $*" >> "$STUB_LOG/sleep.log"',
  logger: 'echo "logger $*" >> "$STUB_LOG/logger.log"',
  'neuron-ls': `python3 -c 'import json, os; c = [int(x) for x in os.environ["STUB_CORES"].split(",")]; n = int(os.environ["STUB_DEVICES"]); print(json.dumps([{"neuron_device": i, "nc_count": c[i] if i < len(c) else c[-1]} for i in range(n)]))'`,
  fi_info: 'for i in $(seq 1 "$STUB_EFA"); do echo "    domain: rdmap${i}s0-rdm"; done',
  lsblk: 'for i in $(seq 1 "$STUB_NVME"); do echo "/dev/nvme${i}n1 Amazon EC2 NVMe Instance Storage"; done; echo "/dev/nvme0n1 Amazon Elastic Block Store"',
  mdadm: 'echo "mdadm $*" >> "$STUB_LOG/mdadm.log"',
  blkid: 'exit 2',
  'mkfs.xfs': 'echo "mkfs.xfs $*" >> "$STUB_LOG/mdadm.log"',
  findmnt: [
    'for a in "$@"; do last="$a"; done',
    'case "$* " in',
    '  *OPTIONS*/fsx*) echo "$STUB_FSX_OPTIONS" ;;',
    '  *FSTYPE*/scratch*) echo xfs ;;',
    '  *FSTYPE*/fsx*) echo "$STUB_FSX_FS" ;;',
    'esac',
  ].join('\n'),
  systemctl: ['echo "systemctl $*" >> "$STUB_LOG/systemctl.log"', 'case "$1" in show) echo "$STUB_RESTARTS" ;; esac'].join('\n'),
  timeout: 'shift; exec "$@"',
  stat: 'exit 0',
  modinfo: '[ "$1" != kefalnd ] || [ "$STUB_KEFALND" = yes ]',
  modprobe: 'echo "modprobe $*" >> "$STUB_LOG/lnet.log"',
  lnetctl: ['echo "lnetctl $*" >> "$STUB_LOG/lnet.log"', 'if [ "$1 $2" = "net show" ]; then echo "status: up"; fi', 'exit 0'].join('\n'),
  ip: 'echo "default via 10.0.0.1 dev ens5 proto dhcp"',
  mountpoint: 'if [ "$STUB_REBOOTED" = yes ]; then exit 0; fi; exit 1',
  mount: 'echo "mount $*" >> "$STUB_LOG/mount.log"',
};

const IMAGE_FILES = ['/opt/aws/neuron/bin/neuron-monitor', '/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl'];

interface Run {
  status: number;
  stderr: string;
  aws: string;
  logger: string;
  sleeps: string;
  mdadm: string;
  fstab: string;
}

/** Runs the user data (once per entry of `boots`, in the same overlay: a reboot keeps the root volume). */
function boot(userData: string, boots: Node[]): Run[] {
  const dir = mkdtempSync(join(tmpdir(), 'rainier-hostile-'));
  try {
    const bin = join(dir, 'bin');
    const log = join(dir, 'log');
    for (const d of [bin, log, join(dir, 'upper'), join(dir, 'work'), join(dir, 'root')]) mkdirSync(d, { recursive: true });
    for (const [name, body] of Object.entries(STUBS)) {
      writeFileSync(join(bin, name), `#!/bin/bash\n${body}\n`);
      chmodSync(join(bin, name), 0o755);
    }
    writeFileSync(join(dir, 'user-data'), userData);
    const runs: Run[] = [];
    for (const node of boots) {
      for (const f of ['aws.log', 'logger.log', 'sleep.log', 'mdadm.log']) rmSync(join(log, f), { force: true });
      const m = join(dir, 'root');
      const setup = [
        'set -e',
        `/bin/mount -t overlay overlay -o lowerdir=/,upperdir=${dir}/upper,workdir=${dir}/work ${m}`,
        `/bin/mount --rbind /dev ${m}/dev && /bin/mount -t proc proc ${m}/proc`,
        // The stubs and their logs are the real directories, not the overlay's copies.
        `/bin/mount --bind ${bin} ${m}${bin} && /bin/mount --bind ${log} ${m}${log}`,
        ...IMAGE_FILES.map((f) => `mkdir -p ${m}${f.replace(/\/[^/]+$/, '')} && printf '#!/bin/bash\\n' > ${m}${f} && chmod 755 ${m}${f}`),
        `rm -rf ${m}/sys/class/infiniband && mkdir -p ${m}/sys/class/infiniband`,
        ...Array.from({ length: node.infiniband }, (_, i) => `mkdir -p ${m}/sys/class/infiniband/rdmap${i}s0`),
        'set +e',
        `chroot ${m} /bin/bash /${dir.replace(/^\//, '')}/user-data`,
      ].join('\n');
      const r = spawnSync('unshare', ['--mount', 'bash', '-c', setup], {
        encoding: 'utf8',
        timeout: 60_000,
        env: {
          PATH: `${bin}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
          HOME: dir,
          STUB_LOG: log,
          STUB_DEVICES: String(node.devices),
          STUB_CORES: Array.isArray(node.coresPerDevice) ? node.coresPerDevice.join(',') : String(node.coresPerDevice),
          STUB_EFA: String(node.efa),
          STUB_NVME: String(node.nvme),
          STUB_FSX_FS: node.fsxFs,
          STUB_FSX_OPTIONS: node.fsxOptions,
          STUB_RESTARTS: String(node.restarts),
          STUB_COMPLETE_FAILS: String(node.completeFails),
          STUB_TOKEN_FAILS: String(node.tokenFails),
          STUB_REBOOTED: node.rebooted ? 'yes' : 'no',
          STUB_KEFALND: node.kefalnd ? 'yes' : 'no',
        },
      });
      const read = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8') : '');
      runs.push({
        status: r.status ?? -1,
        stderr: r.stderr,
        aws: read(join(log, 'aws.log')),
        logger: read(join(log, 'logger.log')),
        sleeps: read(join(log, 'sleep.log')),
        mdadm: read(join(log, 'mdadm.log')),
        fstab: read(join(dir, 'upper/etc/fstab')),
      });
    }
    return runs;
  } finally {
    spawnSync('rm', ['-rf', dir]);
  }
}

const supported = (() => {
  const d = mkdtempSync(join(tmpdir(), 'rainier-probe-'));
  try {
    for (const x of ['u', 'w', 'm']) mkdirSync(join(d, x));
    const r = spawnSync('unshare', ['--mount', 'bash', '-c', `mount -t overlay overlay -o lowerdir=/,upperdir=${d}/u,workdir=${d}/w ${d}/m && chroot ${d}/m /bin/true`]);
    return r.status === 0;
  } finally {
    spawnSync('rm', ['-rf', d]);
  }
})();
if (!supported) {
  // Not required in CI: a container without CAP_SYS_ADMIN cannot mount, even as root. The same
  // checks run on the rendered sections, unprivileged, in test/node-boot.test.ts.
  // eslint-disable-next-line no-console
  console.warn('unshare/overlayfs unavailable (needs root with CAP_SYS_ADMIN): the real-user-data boot tests are skipped here');
}
const suite = supported ? describe : describe.skip;

const TRN2: Node = {
  devices: 16,
  coresPerDevice: 4,
  efa: 16,
  nvme: 4,
  fsxFs: 'lustre',
  fsxOptions: 'rw,relatime,flock,lazystatfs',
  restarts: 0,
  completeFails: 0,
  tokenFails: 0,
  rebooted: false,
  infiniband: 16,
  kefalnd: false,
};

// The other failure families run faster on the rendered sections in test/node-boot.test.ts.
suite('the real user data of single-node\'s trn2.48xlarge pool, stubbed', () => {
  const userData = realUserData('single-node', '-dev');
  const abandoned = (r: Run, check: string) => {
    expect(r.status).not.toBe(0);
    expect(r.logger).toContain(`FAILED check=${check}: `);
    expect(r.aws).toContain(`{"Name":"Check","Value":"${check}"}`);
    expect(r.aws).toMatch(/complete-lifecycle-action .*--lifecycle-action-result ABANDON/);
    expect(r.aws).not.toMatch(/--lifecycle-action-result CONTINUE/);
  };

  test('healthy: goes into service with one CONTINUE', () => {
    const [r] = boot(userData, [TRN2]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.aws.match(/complete-lifecycle-action/g)).toHaveLength(1);
    expect(r.aws).toMatch(/--lifecycle-action-result CONTINUE/);
  });

  test('the Auto Scaling endpoint is down: bounded tries, then the hook\'s ABANDON at its timeout, within the self-check budget', () => {
    const [r] = boot(userData, [{ ...TRN2, completeFails: -1 }]);
    expect(r.status).not.toBe(0);
    expect(r.aws.match(/complete-lifecycle-action/g)).toHaveLength(4);
    // Every call bounded: 4 x (5 s connect + 15 s read) plus the sleeps fit the 140 s the budget adds.
    for (const call of r.aws.trim().split('\n')) expect(call).toContain('--cli-connect-timeout 5 --cli-read-timeout 15');
    const slept = [...r.sleeps.matchAll(/sleep (\d+)/g)].reduce((s, m) => s + Number(m[1]), 0);
    expect(4 * 20 + slept).toBeLessThanOrEqual(140);
    expect(r.stderr).toContain('the hook\'s default result (ABANDON) applies at its timeout');
    // A healthy node is not reported as failing a check.
    expect(r.aws).not.toContain('put-metric-data');
  });

  test('a partial EFA device count (15 of 16) is abandoned', () => {
    abandoned(boot(userData, [{ ...TRN2, efa: 15 }])[0], 'efa-devices');
  });

  test('scratch with one NVMe drive missing: the boot stops in the scratch step and is abandoned naming it', () => {
    const [r] = boot(userData, [{ ...TRN2, nvme: 3 }]);
    abandoned(r, 'boot:scratch-volume');
    expect(r.stderr).toContain('expected 4 instance-store NVMe drive(s), found 3');
    expect(r.mdadm).toBe('');
  });

  test.each([
    ['mounted read-only', { fsxOptions: 'ro,relatime,flock' }, 'is mounted read-only'],
    ['an automount never triggered', { fsxFs: 'autofs' }, 'is not a Lustre mount (found: autofs)'],
  ] as const)('/fsx %s is abandoned', (_what, change, detail) => {
    const [r] = boot(userData, [{ ...TRN2, ...change }]);
    abandoned(r, 'lustre-mount');
    expect(r.logger).toContain(detail);
  });

  test('the Neuron publisher dying right after start (restarted by systemd) is abandoned', () => {
    const [r] = boot(userData, [{ ...TRN2, restarts: 3 }]);
    abandoned(r, 'telemetry');
    expect(r.logger).toContain('restarted 3 time(s)');
  });

  test('a reboot of a healthy node (the boot run again): nothing re-created, no lifecycle call, no failure reported, /fsx in fstab once', () => {
    const [first, second] = boot(userData, [TRN2, { ...TRN2, rebooted: true }]);
    expect(first.status).toBe(0);
    expect(second.status).toBe(0);
    expect(second.aws).not.toContain('complete-lifecycle-action');
    expect(second.aws).not.toContain('put-metric-data');
    expect(second.mdadm).toBe('');
    expect(second.stderr).toContain('launch lifecycle action already completed');
    expect(second.fstab.match(/ \/fsx lustre /g)).toHaveLength(1);
    expect(second.fstab).toContain(`${FS_ID}.fsx.us-east-2.amazonaws.com@tcp:/${MOUNT_NAME} /fsx lustre defaults,relatime,flock,_netdev,x-systemd.automount`);
  });

});
