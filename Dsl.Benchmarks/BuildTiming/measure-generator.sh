#!/usr/bin/env bash
# Generator time inside `dotnet build`, as a user of the OptDsl package sees it (issue 10).
#
# Packs OptDsl (or takes a feed that holds it), makes a console project whose only package is OptDsl and whose one
# .opt file is Model100.opt (100 lines, 8 problems), and builds it again and again with -p:ReportAnalyzer=true. For
# each run, in a fresh project:
#   first      the first build (restore done before, untimed)
#   nothing    a build with nothing changed (csc is normally skipped: then there is no generator time)
#   cs         a build after a .cs file changed and the .opt did not: the common case
#   opt        a build after the .opt file changed
#   cs-no-opt  the same .cs change with the .opt file removed (the package still referenced): `cs` minus this is
#              what an unchanged .opt adds to an incremental build, compiling its generated C# included
#   cs-as-cs   the same .cs change with the .opt file replaced by the C# it generates, as plain .cs files: `cs` minus
#              this is what generating that C# in every build adds, over having it written out
#   restart    (--server only) the .opt file back, the server stopped, then a .cs change: the first build of a new
#              server (after its idle timeout, say) with the last build's files in obj/
# and prints, per build, csc's OptGenerator time (the "generator execution times" of -p:ReportAnalyzer), the Csc
# task's time and the whole build's wall time; then the medians.
#
# Two ways csc runs, chosen with --server:
#   (default)  -p:UseSharedCompilation=false: a fresh csc process per build (what this machine's environment sets,
#              and what a build gets when no compiler server is running); every build JIT-compiles what it runs
#   --server   the compiler server (VBCSCompiler, dotnet's default): one server per run, under a pipe name of its
#              own, stopped (by its process id) at the end of the run; its first build is cold, later ones warm
#
# Usage: Dsl.Benchmarks/BuildTiming/measure-generator.sh [--feed DIR] [--runs N] [--server] [--keep]
#   --feed DIR  a folder holding OptDsl.<version>.nupkg (default: dotnet pack Dsl.Runtime -c Release into a temp folder)
#   --runs N    runs (fresh projects) per measurement, default 5
#   --keep      keep the temporary folder (its logs: <tmp>/logs/<run>-<build>.log)
# Each project gets its own NuGet packages folder, so no OptDsl from the user's cache is used.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
feed=""
runs=5
server=false
keep=false
while [[ $# -gt 0 ]]; do
  case "$1" in
    --feed) feed="$(cd "$2" && pwd)"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --server) server=true; shift ;;
    --keep) keep=true; shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

work="$(mktemp -d "${TMPDIR:-/tmp}/optdsl-buildtiming.XXXXXX")"
server_pid=""
stop_server() {
  if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; server_pid=""; fi
  # The server's pipe is a socket named after it in the temp folder; a killed server leaves it behind.
  if [[ -n "${pipe:-}" ]]; then sleep 1; rm -f "${TMPDIR:-/tmp}/$pipe"; fi
}
cleanup() {
  stop_server
  if [[ "$keep" == true ]]; then echo "kept: $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

version="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$repo/Directory.Build.props" | head -1)"
if [[ -z "$feed" ]]; then
  feed="$work/feed"
  echo "packing OptDsl $version into $feed ..." >&2
  dotnet pack "$repo/Dsl.Runtime/Dsl.Runtime.csproj" -c Release -o "$feed" -nodeReuse:false > "$work/pack.log" 2>&1 \
    || { cat "$work/pack.log" >&2; exit 1; }
fi
[[ -f "$feed/OptDsl.$version.nupkg" ]] || { echo "no OptDsl.$version.nupkg in $feed" >&2; exit 1; }

export NUGET_PACKAGES="$work/packages"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
mkdir -p "$work/logs"

make_project() {
  local dir="$1"
  rm -rf "$dir"; mkdir -p "$dir"
  cat > "$dir/Consumer.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <ImplicitUsings>enable</ImplicitUsings>
    <Nullable>enable</Nullable>
    <RootNamespace>Timing</RootNamespace>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="OptDsl" Version="$version" />
  </ItemGroup>
</Project>
EOF
  cat > "$dir/NuGet.Config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="optdsl-timing-feed" value="$feed" />
  </packageSources>
</configuration>
EOF
  # Program.cs does not name a generated class, so the project also builds without the .opt file (cs-no-opt).
  printf 'System.Console.WriteLine(typeof(OptDsl.Runtime.SolveResult).Name);\n' > "$dir/Program.cs"
  printf '// changed by the timing script\n' > "$dir/Other.cs"
  cp "$here/Model100.opt" "$dir/Model100.opt"
}

# One build; prints "<OptGenerator ms> <Csc ms> <wall ms>" ("-" where csc did not run).
build() {
  local dir="$1" log="$2" start end
  local -a props=(-p:ReportAnalyzer=true -nodeReuse:false -v:detailed -clp:PerformanceSummary "${@:3}")
  if [[ "$server" == true ]]; then
    props+=(-p:UseSharedCompilation=true "-p:SharedCompilationId=$pipe")
  else
    props+=(-p:UseSharedCompilation=false)
  fi
  start=$(date +%s%N)
  (cd "$dir" && dotnet build --no-restore "${props[@]}" > "$log" 2>&1) || { echo "build failed: $log" >&2; tail -30 "$log" >&2; exit 1; }
  end=$(date +%s%N)
  local gen csc
  gen=$(awk '/OptDsl\.Generators\.OptGenerator$/ { printf "%.0f", $1 * 1000; exit }' "$log")
  csc=$(awk '/^ *[0-9]+ ms +Csc +[0-9]+ calls/ { print $1; exit }' "$log")
  echo "${gen:--} ${csc:--} $(( (end - start) / 1000000 ))"
}

echo "# $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) CPUs; dotnet $(dotnet --version)"
echo "# mode: $([[ "$server" == true ]] && echo 'compiler server (UseSharedCompilation=true)' || echo 'fresh csc per build (UseSharedCompilation=false)'); runs: $runs"
echo "# load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-4s %-10s %8s %8s %8s\n' run build optgen_ms csc_ms wall_ms
results="$work/results.txt"
: > "$results"
for run in $(seq 1 "$runs"); do
  dir="$work/consumer"
  make_project "$dir"
  (cd "$dir" && dotnet restore -nodeReuse:false > "$work/logs/$run-restore.log" 2>&1) || { cat "$work/logs/$run-restore.log" >&2; exit 1; }
  pipe="optdsl-timing-$$-$run"
  kinds="first nothing cs opt cs-no-opt cs-as-cs"
  [[ "$server" == true ]] && kinds="$kinds restart"
  for kind in $kinds; do
    case "$kind" in
      cs) printf '// %s\n' "$RANDOM" >> "$dir/Other.cs" ;;
      opt) printf '// %s\n' "$RANDOM" >> "$dir/Model100.opt" ;;
      cs-no-opt)
        # Without the .opt file: one build to settle, then the same kind of .cs change as `cs`.
        # (First, untimed, the generated C# written out for cs-as-cs: a build that runs csc, so after a change.)
        printf '// %s\n' "$RANDOM" >> "$dir/Other.cs"
        build "$dir" "$work/logs/$run-emit.log" -p:EmitCompilerGeneratedFiles=true "-p:CompilerGeneratedFilesOutputPath=$work/generated" > /dev/null
        mv "$dir/Model100.opt" "$work/Model100.opt.away"
        build "$dir" "$work/logs/$run-no-opt-settle.log" > /dev/null
        printf '// %s\n' "$RANDOM" >> "$dir/Other.cs" ;;
      cs-as-cs)
        mkdir -p "$dir/Generated"
        find "$work/generated/OptDsl.Generators" -name '*.cs' -exec cp {} "$dir/Generated/" \;
        build "$dir" "$work/logs/$run-as-cs-settle.log" > /dev/null
        printf '// %s\n' "$RANDOM" >> "$dir/Other.cs" ;;
      restart)
        rm -rf "$dir/Generated"
        mv "$work/Model100.opt.away" "$dir/Model100.opt"
        printf '// %s\n' "$RANDOM" >> "$dir/Other.cs"
        build "$dir" "$work/logs/$run-restart-settle.log" > /dev/null
        server_pid="$(pgrep -f -- "-pipename:$pipe\$" | head -1 || true)"
        stop_server
        sleep 1
        printf '// %s\n' "$RANDOM" >> "$dir/Other.cs" ;;
    esac
    line="$(build "$dir" "$work/logs/$run-$kind.log")"
    printf '%-4s %-10s %8s %8s %8s\n' "$run" "$kind" $line
    echo "$kind $line" >> "$results"
  done
  rm -rf "$work/generated"
  if [[ "$server" == true ]]; then
    server_pid="$(pgrep -f -- "-pipename:$pipe\$" | head -1 || true)"
    stop_server
  fi
done
echo "# load at end: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "# medians over $runs runs (ms)"
printf '%-10s %8s %8s %8s\n' build optgen csc wall
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
for kind in first nothing cs opt cs-no-opt cs-as-cs restart; do
  [[ "$kind" == restart && "$server" != true ]] && continue
  g=$(awk -v k="$kind" '$1 == k && $2 != "-" { print $2 }' "$results" | median)
  c=$(awk -v k="$kind" '$1 == k && $3 != "-" { print $3 }' "$results" | median)
  w=$(awk -v k="$kind" '$1 == k { print $4 }' "$results" | median)
  printf '%-10s %8s %8s %8s\n' "$kind" "$g" "$c" "$w"
done
# What the unchanged .opt adds to a .cs-only rebuild: per run, cs minus cs-no-opt, and cs minus cs-as-cs.
for base in cs-no-opt cs-as-cs; do
  paste <(awk '$1 == "cs" { print $3, $4 }' "$results") <(awk -v b="$base" '$1 == b { print $3, $4 }' "$results") \
    | awk '{ print $1 - $3, $2 - $4 }' > "$work/diff.txt"
  printf '# unchanged .opt overhead, cs - %s (median of per-run differences): csc %s ms, wall %s ms\n' "$base" \
    "$(cut -d' ' -f1 "$work/diff.txt" | median)" "$(cut -d' ' -f2 "$work/diff.txt" | median)"
done
