import { ScratchVolumePlan } from '../plan/compute';
import { BootstrapSection } from './contracts';

/**
 * The node boot script: pure functions that turn the plan's scratch volume and the sections other
 * slices contribute (Lustre mount, monitoring agents) into one bash script, run once by cloud-init.
 */

/** The model string EC2 gives instance-store NVMe drives (EBS volumes report "Amazon Elastic Block Store"). */
export const INSTANCE_STORE_MODEL = 'Amazon EC2 NVMe Instance Storage';

/**
 * Builds the scratch volume from the local NVMe instance-store drives: RAID-0 with mdadm when there
 * are several, XFS, mounted at the plan's mount point. Idempotent: it does nothing when the mount
 * point is already mounted, reuses an existing array or file system, and adds the fstab line once.
 * The fstab entry is `nofail` because instance store is wiped on stop/start and the node must still boot.
 */
export function scratchVolumeSection(scratch: ScratchVolumePlan): BootstrapSection {
  const { drives, mountPoint, label, filesystem } = scratch;
  const device = scratch.raid0 ? `/dev/md/${label}` : '"${DRIVES[0]}"';
  const commands = [
    `if mountpoint -q ${mountPoint}; then`,
    `  echo "scratch: ${mountPoint} already mounted"`,
    'else',
    `  mapfile -t DRIVES < <(lsblk -dnpo NAME,MODEL | awk '/${INSTANCE_STORE_MODEL}/ {print $1}' | sort)`,
    `  if [ "\${#DRIVES[@]}" -ne ${drives} ]; then`,
    `    echo "scratch: expected ${drives} instance-store NVMe drive(s), found \${#DRIVES[@]}" >&2`,
    '    exit 1',
    '  fi',
  ];
  if (scratch.raid0) {
    commands.push(
      `  if [ ! -e ${device} ]; then`,
      `    mdadm --create ${device} --name=${label} --level=0 --raid-devices=${drives} --run "\${DRIVES[@]}"`,
      '  fi',
    );
  }
  commands.push(
    `  blkid ${device} >/dev/null 2>&1 || mkfs.${filesystem} -f -L ${label} ${device}`,
    `  mkdir -p ${mountPoint}`,
    `  grep -q '^LABEL=${label} ' /etc/fstab || echo 'LABEL=${label} ${mountPoint} ${filesystem} defaults,noatime,nofail 0 2' >> /etc/fstab`,
    `  mount ${mountPoint}`,
    `  chmod 1777 ${mountPoint}`,
    'fi',
  );
  return { name: 'scratch-volume', commands };
}

/**
 * Renders sections, in order, into one bash script. Each section is introduced by a comment header
 * and a log line; the script stops at the first failing command, and the node-lifecycle section's
 * EXIT trap then abandons the instance, so a half-configured node never goes into service.
 */
export function renderBootstrap(sections: readonly BootstrapSection[]): string {
  const lines = ['#!/bin/bash', 'set -euo pipefail'];
  for (const section of sections) {
    // RAINIER_STEP names the section for the node-lifecycle EXIT trap (lib/constructs/node-health.ts).
    lines.push('', `# --- ${section.name} ---`, `export RAINIER_STEP=${section.name}`, `echo "rainier-bootstrap: ${section.name}"`, ...section.commands);
  }
  return `${lines.join('\n')}\n`;
}
