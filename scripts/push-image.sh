#!/usr/bin/env bash
# Usage: push-image.sh <local image> <repository url> <tag>
# Pushes the local image as <repository url>:<tag> unless the repository has that tag already. The
# repository's tags are immutable, so an existing tag is the image to release, and a re-run of a deploy
# goes on with it instead of failing on the push. Any other answer than "not found" stops here.
set -euo pipefail

if [ "$#" -ne 3 ]; then
  echo "usage: $0 <local image> <repository url> <tag>" >&2
  exit 64
fi
local_image=$1
repository_url=$2
tag=$3
repository=${repository_url#*/}

if answer=$(aws ecr describe-images --repository-name "$repository" --image-ids "imageTag=$tag" \
  --query 'imageDetails[0].imageDigest' --output text 2>&1); then
  echo "$repository_url:$tag is in the repository already ($answer): not pushed again"
  exit 0
fi
case "$answer" in
  *ImageNotFoundException*) ;;
  *)
    echo "cannot tell whether $repository_url:$tag exists: $answer" >&2
    exit 1
    ;;
esac

docker tag "$local_image" "$repository_url:$tag"
docker push "$repository_url:$tag"
