# lib.sh — what the bench scripts share; sourced after they set $repo, never run on its own.
# Checks that redis-benchmark, redis-cli, python3 and java are on PATH (exit 2 naming the missing one), and builds
# the packaged server (mvn package, tests skipped) when $repo/dataplane/target/quarkus-app is missing; sets $jar
# (BENCH_JAR overrides it: an A/B run points it at a copy of the other build's quarkus-app/quarkus-run.jar).
jar=${BENCH_JAR:-"$repo/dataplane/target/quarkus-app/quarkus-run.jar"}
for tool in redis-benchmark redis-cli python3 java; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install -y redis-tools)" >&2; exit 2; }
done
if [[ ! -f $jar ]]; then
  echo "building the server (mvn package, tests skipped)..." >&2
  (cd "$repo" && mvn -B -ntp -q -DskipTests package -pl dataplane -am)
fi
