/**
 * Renders the Kubernetes manifests of a sample multi-node Neuron training job for the configured
 * cluster (docs/jobs.md): the job namespace, the Neuron and EFA device plugins, and an Indexed Job
 * across N whole UltraServers of one pool, with images through the account's ECR pull-through cache.
 *
 *   npm run job -- --account 111122223333 [--site S] [--pool P] [--ultraservers N] [--name NAME] [--out DIR] [-c preset=NAME]
 *
 * Offline and deterministic: the plan in, YAML out (stdout, or one file per group in --out DIR).
 * Every object is validated against the Kubernetes schemas of kubernetes-models before it is written.
 */
import * as fs from 'fs';
import * as path from 'path';
import { stringify } from 'yaml';
import { ConfigError } from '../lib/config/errors';
import { loadConfig } from '../lib/config/load';
import { DEFAULT_PRESET } from '../lib/config/presets';
import { configurationLine } from '../lib/context';
import { ManifestFile, jobCheckpointDir, jobPods, renderJobManifests } from '../lib/orchestrator/manifests';
import { JobRequest, JobTarget, selectJobTarget } from '../lib/orchestrator/select';
import { validateObjects } from '../lib/orchestrator/validate';
import { planCluster } from '../lib/plan/build';
import { CliSpec, ParsedArgs, runCli } from './review-cli';

export const JOB_CLI: CliSpec = {
  usage: `Usage: npm run job -- --account ACCOUNT [--site SITE] [--pool POOL] [--ultraservers N] [--name NAME] [--out DIR] [-c preset=NAME] [-c config=PATH]

Prints the Kubernetes manifests of a sample multi-node Neuron training job on the configuration's
EKS cluster (orchestrator: eks): the job namespace, the Neuron and EFA device plugins, and the job
across N whole UltraServers. Apply them with kubectl (docs/jobs.md).`,
  options: {
    account: 'the 12-digit AWS account whose ECR pull-through cache serves the images (required)',
    site: "the site of the pool (default: the first site with an UltraServer pool)",
    pool: "the UltraServer pool (default: the site's first)",
    ultraservers: 'whole UltraServers the job spans (default 1)',
    name: 'the job name (default neuron-train)',
    out: 'write one YAML file per group into this directory instead of printing them',
  },
};

function single(args: ParsedArgs, key: string): string | undefined {
  const values = args.options[key] ?? [];
  if (values.length > 1) {
    throw ConfigError.single(`--${key}`, values.map((v) => `"${v}"`).join(', '), 'one value');
  }
  return values[0];
}

/** The job request of a command line; ConfigErrors name the flag. */
export function jobRequest(args: ParsedArgs): JobRequest {
  const account = single(args, 'account');
  if (account === undefined) {
    throw ConfigError.single('--account', 'nothing', 'the 12-digit ID of the AWS account whose ECR pull-through cache (ecr-public/) serves the images, e.g. --account 111122223333');
  }
  const us = single(args, 'ultraservers');
  if (us !== undefined && !/^\d+$/.test(us)) {
    throw ConfigError.single('--ultraservers', `"${us}"`, 'a whole number of UltraServers, e.g. --ultraservers 2');
  }
  return { account, site: single(args, 'site'), pool: single(args, 'pool'), ultraServers: us === undefined ? undefined : Number(us), name: single(args, 'name') };
}

/** The YAML of one file: a header, then one document per object. */
export function renderYaml(target: JobTarget, file: ManifestFile): string {
  const header = [
    `# ${file.file}: rainier-cdk, EKS cluster ${target.cluster.name} (${target.cluster.region}); docs/jobs.md`,
    `# job ${target.name}: ${target.ultraServers.length} UltraServer(s) of ${target.site.name}/${target.pool.name} (${target.ultraServers.join(', ')}), ${jobPods(target)} pods, checkpoints in ${jobCheckpointDir(target)}`,
  ].join('\n');
  return `${header}\n${file.objects.map((o) => `---\n${stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })}`).join('')}`;
}

/** Renders, validates and writes (or returns for stdout) the manifests of a command line. */
export function runJob(args: ParsedArgs): { readonly target: JobTarget; readonly files: readonly { file: string; yaml: string }[] } {
  const request = jobRequest(args);
  const plan = planCluster(loadConfig(args.source));
  const target = selectJobTarget(plan, request);
  const files = renderJobManifests(plan, target);
  validateObjects(files.flatMap((f) => f.objects));
  return { target, files: files.map((f) => ({ file: f.file, yaml: renderYaml(target, f) })) };
}

/**
 * The --out directory, created if missing, or a ConfigError naming the flag: a path that is a file,
 * or one this user cannot create, is bad input, never a stack trace. Created one level at a time
 * from its nearest existing ancestor (Node's recursive mkdir spins on some paths, such as under /proc).
 */
export function prepareOutDir(out: string): string {
  const refuse = (why: string) => ConfigError.single('--out', `"${out}"`, `a directory to write the manifests into, or a path where one can be created (${why})`);
  const missing: string[] = [];
  let existing = path.resolve(out);
  while (!fs.existsSync(existing)) {
    missing.unshift(existing);
    existing = path.dirname(existing);
  }
  if (!fs.statSync(existing).isDirectory()) {
    throw refuse(`${existing} is a file`);
  }
  for (const dir of missing) {
    try {
      fs.mkdirSync(dir);
    } catch (e) {
      throw refuse(`cannot create ${dir}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
  }
  return path.resolve(out);
}

/** The command line's body: prints the manifests, or writes them into --out DIR; returns the exit status. */
export function jobMain(args: ParsedArgs, stdout: (text: string) => void = (t) => process.stdout.write(t), stderr: (text: string) => void = (t) => process.stderr.write(t)): number {
  stderr(`${configurationLine(args.source, DEFAULT_PRESET)}\n`);
  const out = single(args, 'out');
  const { files } = runJob(args);
  if (out === undefined) {
    stdout(files.map((f) => f.yaml).join(''));
    return 0;
  }
  prepareOutDir(out);
  for (const f of files) {
    try {
      fs.writeFileSync(path.join(out, f.file), f.yaml);
    } catch (e) {
      throw ConfigError.single('--out', `"${out}"`, `a directory this user can write (writing ${f.file}: ${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
  }
  stderr(`wrote ${files.map((f) => path.join(out, f.file)).join(', ')}\n`);
  return 0;
}

if (require.main === module) {
  runCli(JOB_CLI, (args) => jobMain(args));
}
