# Shared by the tools/ scripts: configure and build one build folder.
#   configure_and_build BUILD_DIR [cmake options...]
configure_and_build() {
  local build_dir="$1"
  shift
  local launcher=()
  if command -v ccache >/dev/null; then
    launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_CUDA_COMPILER_LAUNCHER=ccache)
  fi
  local generator=()
  if command -v ninja >/dev/null; then generator=(-G Ninja); fi
  if [ ! -f "$build_dir/CMakeCache.txt" ]; then
    cmake -S "$GNNREC_ROOT" -B "$build_dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
      "${launcher[@]}" "$@"
  else
    cmake -S "$GNNREC_ROOT" -B "$build_dir" "$@" >/dev/null
  fi
  cmake --build "$build_dir" -j "$(nproc)"
}
