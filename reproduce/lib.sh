# Shared by the reproduce/ scripts (sourced, with the script's arguments):
#   --quick     seconds to a minute: every sweep and its summaries, on few examples, epochs and
#               seeds, with data that is always there; checks the pipeline, not the paper
#   --check     compile every run of every sweep (bpnet sweep --dry-run) and train nothing
#   --jobs N    runs at once (bpnet sweep --jobs; default 1)
#   --out DIR   where the sweeps go (default reproduce/out/SCRIPT)
#   --seeds N, --epochs N   in place of the script's (a reduced run; say so where its figures go)
#   --set NAME=VALUE        a train option for every run (bpnet sweep --set), such as a data subset;
#                           it replaces the script's own --set of that option
# $BPNET names the bpnet command (default: the checkout's ./bpnet).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
BPNET="${BPNET:-$root/bpnet}"
MODE=full
JOBS=1
OUT=""
SEEDS=""
EPOCHS=""
SETS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) MODE=quick ;;
    --check) MODE=check ;;
    --jobs) JOBS="$2"; shift ;;
    --out) OUT="$2"; shift ;;
    --seeds) SEEDS="$2"; shift ;;
    --epochs) EPOCHS="$2"; shift ;;
    --set) SETS+=(--set "$2"); shift ;;
    -h|--help) sed -n '2,/^$/s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "$(basename "$0"): unknown option $1 (--quick, --check, --jobs N, --out DIR, --seeds N, --epochs N, --set NAME=VALUE)" >&2; exit 2 ;;
  esac
  shift
done
OUT="${OUT:-$here/out/$(basename "$0" .sh)}"

quick() { [ "$MODE" = quick ]; }

# given NAME: the command line has --set NAME=...
given() {
  local i
  for ((i = 1; i < ${#SETS[@]}; i += 2)); do
    if [ "${SETS[$i]%%=*}" = "$1" ]; then return 0; fi
  done
  return 1
}

# sweep NAME FILE ARGS...: bpnet sweep FILE ARGS into $OUT/NAME (summary.md, summary.csv, summary.png)
sweep() {
  local name="$1" file="$2"
  shift 2
  local args=() extra=()
  while [ $# -gt 0 ]; do  # the script's --seeds, --epochs and --set NAME=... give way to the command line's
    if { [ "$1" = --seeds ] && [ -n "$SEEDS" ]; } || { [ "$1" = --epochs ] && [ -n "$EPOCHS" ]; } ||
        { [ "$1" = --set ] && given "${2%%=*}"; }; then
      shift 2
    else
      args+=("$1")
      shift
    fi
  done
  if [ -n "$SEEDS" ]; then extra+=(--seeds "$SEEDS"); fi
  if [ -n "$EPOCHS" ]; then extra+=(--epochs "$EPOCHS"); fi
  extra+=(${SETS[@]+"${SETS[@]}"})
  if [ "$MODE" = check ]; then extra+=(--dry-run); fi
  echo "== $name: bpnet sweep ${file#"$root/"} ${args[*]} ${extra[*]}" >&2
  "$BPNET" sweep "$file" ${args[@]+"${args[@]}"} ${extra[@]+"${extra[@]}"} --jobs "$JOBS" --out "$OUT/$name"
}
