# shellcheck shell=sh
# Find a JDK 25+ for building vos. POSIX sh; SOURCE it, do not execute it:
#
#   . bin/find-jdk.sh || exit 1
#
# On success it exports JAVA_HOME and puts $JAVA_HOME/bin first on PATH.
# Candidates, first qualifying one wins:
#   1. $JAVA_HOME
#   2. /usr/lib/jvm/temurin-25-jdk-amd64
#   3. /usr/lib/jvm/*25*, then any other /usr/lib/jvm/*
#   4. /opt/java/*
#   5. ~/.sdkman/candidates/java/*
# VOS_JDK_SEARCH (for testing): a space-separated list of dirs/globs that
# replaces candidates 2-5, e.g. VOS_JDK_SEARCH=/nowhere to see the error.

_vos_jdk_min=25
_vos_jdk_search=${VOS_JDK_SEARCH:-"/usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*25* /usr/lib/jvm/* /opt/java/* ${HOME:-}/.sdkman/candidates/java/*"}

# Print the major version of the JDK at $1 ("1.8.0_x" -> 8, "25.0.3" -> 25).
_vos_jdk_major() {
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 1
  _vos_v=$("$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9][0-9.]*\).*/\1/p' | head -n 1)
  _vos_v=${_vos_v#1.}
  echo "${_vos_v%%.*}"
}

# Callers may run with globbing off (mvnw uses set -f): turn it on here.
case $- in *f*) _vos_noglob=1; set +f ;; *) _vos_noglob= ;; esac

_vos_found=
for _vos_dir in ${JAVA_HOME:+"$JAVA_HOME"} $_vos_jdk_search; do
  _vos_major=$(_vos_jdk_major "$_vos_dir") || continue
  if [ "${_vos_major:-0}" -ge "$_vos_jdk_min" ] 2>/dev/null; then
    _vos_found=$_vos_dir
    break
  fi
done

[ -z "$_vos_noglob" ] || set -f

if [ -n "$_vos_found" ]; then
  JAVA_HOME=$_vos_found
  PATH=$JAVA_HOME/bin:$PATH
  export JAVA_HOME PATH
fi

unset -f _vos_jdk_major
unset _vos_jdk_min _vos_dir _vos_major _vos_v _vos_noglob

if [ -z "$_vos_found" ]; then
  cat >&2 <<EOF
vos: no JDK 25 or newer found (needs bin/java and bin/javac, 'java -version' >= 25).
  Looked in: \$JAVA_HOME (${JAVA_HOME:-unset}) $_vos_jdk_search
  Install Temurin 25, e.g. 'apt-get install temurin-25-jdk' from Adoptium's apt
  repository (https://adoptium.net/installation/linux/), or download Temurin 25
  from https://adoptium.net and set JAVA_HOME to its directory.
EOF
  unset _vos_found _vos_jdk_search
  return 1 2>/dev/null || exit 1
fi
unset _vos_found _vos_jdk_search
