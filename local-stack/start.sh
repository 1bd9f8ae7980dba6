#!/usr/bin/env bash
# Starts the whole Gantry stack on this machine: PostgreSQL, RocketMQ, Keycloak, s3proxy, control plane,
# trace service, gateway.
# Needs JDK 17 and Maven; Keycloak needs a Java 21+ runtime, found on the machine (see README).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
STAMP=local-stack/components/target/launcher.classpath
JAR=control-plane/target/quarkus-app/quarkus-run.jar
TRACE_JAR=trace-service/service/target/trace-service-0.1.0-SNAPSHOT.jar

# Build only when a source or pom changed since the last build: a second start skips Maven.
if [[ ! -f $JAR || ! -f $TRACE_JAR || ! -f $STAMP ]] || [[ -n $(find . \( -path ./.gantry -o -path ./.git -o -name target -o -name node_modules \) -prune -o \( -name '*.java' -o -name 'pom.xml' -o -name '*.properties' -o -name '*.sql' -o -name '*.yaml' -o -name '*.json' \) -newer "$STAMP" -print -quit) ]]; then
  echo "[gantry] building (the first build downloads dependencies: a few minutes)"
  # trace-service/service's build also fetches s3proxy's jar into ~/.m2, where S3ProxyServer finds it
  mvn -B -q -DskipTests install -pl control-plane,trace-service/service,local-stack/components,data-plane/gateway -am
  mvn -B -q dependency:build-classpath -pl local-stack/components -Dmdep.outputFile="$ROOT/$STAMP" -Dmdep.includeScope=runtime
fi

exec java -Xmx256m -Dgantry.home="$ROOT" -cp "$(cat "$STAMP"):local-stack/components/target/classes" io.gantry.localstack.LocalStack "$@"
