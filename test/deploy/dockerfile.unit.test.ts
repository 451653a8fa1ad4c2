import { Cmd, Copy, type Instruction } from 'dockerfile-ast';
import { APPS } from './apps.js';
import { dockerfile, readRepoFile, repoFileExists } from './files.js';

const argsOf = (instruction: Instruction) => instruction.getArguments().map((argument) => argument.getValue());
const instructions = dockerfile.getInstructions();
const stages = dockerfile.getFROMs();
const lastStage = instructions.filter(
  (instruction) => instruction.getRange().start.line >= stages.at(-1)!.getRange().start.line,
);
const last = (keyword: string) => lastStage.filter((instruction) => instruction.getKeyword() === keyword).at(-1);

describe('Dockerfile', () => {
  it('builds in stages on Node 20 bookworm-slim', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) {
      expect(stage.getExpandedArguments()[0]?.getValue()).toMatch(/^node:20(\.\d+)*-bookworm-slim$/);
    }
  });

  it('installs the locked dependencies of every workspace before copying the sources', () => {
    const root = JSON.parse(readRepoFile('package.json')) as {
      workspaces: string[];
      dependencies?: Record<string, string>;
    };
    const install = instructions.findIndex(
      (instruction) => instruction.getKeyword() === 'RUN' && /\bnpm ci\b/.test(argsOf(instruction).join(' ')),
    );
    expect(install).toBeGreaterThan(0);
    const installCommand = argsOf(instructions[install]!).join(' ');
    expect(installCommand).toMatch(/MONGOMS_DISABLE_POSTINSTALL=1/);
    // Every COPY before the install, without its destination.
    const copied = instructions
      .slice(0, install)
      .filter((instruction) => instruction instanceof Copy)
      .flatMap((copy) => argsOf(copy).slice(0, -1));
    expect(copied).toEqual(expect.arrayContaining(['package.json', 'package-lock.json']));
    for (const workspace of root.workspaces) {
      expect(repoFileExists(`${workspace}/package.json`)).toBe(true);
      expect(copied).toContain(`${workspace}/package.json`);
    }
    // Every manifest copied is a workspace (a stale line would fail the build).
    const manifests = copied.filter((path) => path.endsWith('/package.json')).map((path) => path.slice(0, -13));
    expect(manifests.sort()).toEqual([...root.workspaces].sort());
    // The sources come after the install; the image leaves development tools out, and tsx,
    // which runs every process, is a dependency so the production install keeps it.
    expect(
      instructions.slice(install).some((instruction) => instruction instanceof Copy && argsOf(instruction)[0] === '.'),
    ).toBe(true);
    expect(installCommand).toMatch(/--omit[= ]dev/);
    expect(root.dependencies?.tsx).toBeDefined();
  });

  it('runs as a user other than root', () => {
    const user = last('USER');
    expect(user).toBeDefined();
    expect(['root', '0', '0:0']).not.toContain(argsOf(user!).join(' '));
  });

  it('starts an entry file that exists, through tsx, from the repository root', () => {
    const cmd = last('CMD');
    // Exec form, so node gets SIGTERM.
    expect(cmd instanceof Cmd && cmd.getOpeningBracket()).toBeTruthy();
    const command = (cmd as Cmd).getJSONStrings().map((word) => word.getJSONValue());
    expect(command.slice(0, 3)).toEqual(['node', '--import', 'tsx']);
    expect(Object.values(APPS).map(({ entry }) => entry)).toContain(command[3]);
    expect(repoFileExists(command[3]!)).toBe(true);
    expect(argsOf(last('WORKDIR')!)).toEqual(['/app']);
    // The runtime stage takes the whole tree from an earlier stage.
    const stageNames = stages.map((stage) => stage.getBuildStage());
    const copiesApp = (instruction: Instruction) =>
      instruction instanceof Copy &&
      stageNames.includes(instruction.getFromFlag()?.getValue() ?? null) &&
      argsOf(instruction).join(' ') === '/app /app';
    expect(instructions.some(copiesApp)).toBe(true);
  });
});

describe('.dockerignore', () => {
  it('keeps installed and generated files out of the build context', () => {
    const ignored = readRepoFile('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    for (const entry of ['node_modules', '**/node_modules', '.data', 'dist', '.git', 'coverage', '.env']) {
      expect(ignored).toContain(entry);
    }
  });
});
