/**
 * The machine a session ran on: host, kernel, CPUs, memory, disks (systeminformation
 * `blockDevices()`: one `lsblk`, fine once per session) and GPU names where `nvidia-smi` exists.
 */
import { execFile } from 'node:child_process';
import * as os from 'node:os';
import si from 'systeminformation';
import type { EnvironmentInfo } from '../../shared/model';
import { findExecutable } from '../target/executable';

const TIMEOUT_MS = 3000;

function withTimeout<T>(p: Promise<T>, fallback: T): Promise<T> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(fallback), TIMEOUT_MS);
    p.then(
      (v) => resolve(v),
      () => resolve(fallback),
    ).finally(() => clearTimeout(timer));
  });
}

async function disks(): Promise<EnvironmentInfo['disks']> {
  const devices = await withTimeout(si.blockDevices(), []);
  return devices
    .filter((d) => d.type === 'disk' && d.size > 0)
    .map((d) => ({ name: d.name, type: d.physical || 'disk', sizeBytes: d.size }));
}

function gpuNames(): Promise<string[] | undefined> {
  const exe = findExecutable('nvidia-smi');
  if (exe === null) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    execFile(exe, ['--query-gpu=name', '--format=csv,noheader'], { timeout: TIMEOUT_MS }, (err, stdout) => {
      if (err) resolve(undefined);
      else
        resolve(
          stdout
            .split('\n')
            .map((l) => l.trim())
            .filter((l) => l !== ''),
        );
    });
  });
}

export async function collectEnvironment(): Promise<EnvironmentInfo> {
  const [diskList, gpus] = await Promise.all([disks(), gpuNames()]);
  const env: EnvironmentInfo = {
    host: os.hostname(),
    kernel: os.release(),
    cpus: os.cpus().length,
    memBytes: os.totalmem(),
  };
  if (diskList && diskList.length > 0) env.disks = diskList;
  if (gpus && gpus.length > 0) env.gpus = gpus;
  return env;
}
