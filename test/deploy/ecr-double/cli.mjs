#!/usr/bin/env node
// The `aws ecr describe-images` and `docker tag|push` commands that scripts/push-image.sh runs, answered
// from one JSON state file (ECR_DOUBLE_STATE) holding an ECR repository with immutable tags, as ECR does:
// pushing a tag that exists is ImageTagAlreadyExistsException, describing a missing one ImageNotFoundException.
// Installed as `aws` and `docker` (symlinks) on the PATH of the script under test.
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';

const statePath = process.env.ECR_DOUBLE_STATE;
const state = JSON.parse(readFileSync(statePath, 'utf8'));
const save = () => writeFileSync(statePath, JSON.stringify(state));
const [command, ...args] = [basename(process.argv[1]), ...process.argv.slice(2)];
const option = (name) => args[args.indexOf(name) + 1];
state.calls.push([command, ...args].join(' '));
save();

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(254);
}

if (command === 'aws' && args[0] === 'ecr' && args[1] === 'describe-images') {
  if (state.denied) fail('An error occurred (AccessDeniedException) when calling the DescribeImages operation: not authorized');
  const repository = state.repositories[option('--repository-name')];
  if (!repository) fail('An error occurred (RepositoryNotFoundException) when calling the DescribeImages operation');
  const tag = option('--image-ids').replace(/^imageTag=/, '');
  if (!(tag in repository)) fail(`An error occurred (ImageNotFoundException) when calling the DescribeImages operation: The image with imageId {imageTag:'${tag}'} does not exist`);
  process.stdout.write(`${repository[tag]}\n`);
} else if (command === 'docker' && args[0] === 'tag') {
  if (!(args[1] in state.local)) fail(`Error response from daemon: No such image: ${args[1]}`);
  state.local[args[2]] = state.local[args[1]];
  save();
} else if (command === 'docker' && args[0] === 'push') {
  const reference = args[1];
  const [url, tag] = [reference.slice(0, reference.lastIndexOf(':')), reference.slice(reference.lastIndexOf(':') + 1)];
  const repository = state.repositories[url.slice(url.indexOf('/') + 1)];
  if (!(reference in state.local)) fail(`An image does not exist locally with the tag: ${reference}`);
  if (tag in repository) fail(`tag invalid: The image tag '${tag}' already exists in the repository and cannot be overwritten because the repository is immutable.`);
  repository[tag] = state.local[reference];
  save();
} else {
  fail(`the ECR double does not answer: ${command} ${args.join(' ')}`);
}
