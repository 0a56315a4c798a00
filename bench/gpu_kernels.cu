// GPU kernel timings (issue 5), one markdown table on stdout.
//
// NOT YET RUN ON A GPU: written and compiled (nvcc 13.0, sm_90, warnings as
// errors) on a machine without one. The first GPU run checks it.
//
//   build/bench/gpu_kernels            # every section; tools/gpu_suite.sh runs it
//   build/bench/gpu_kernels spmm       # only the sections whose name contains "spmm"
//
// Sections: spmm (ours vs cuSPARSE on Gowalla and on synthetic power-law
// graphs of 1e5, 1e6, 1e7 non-zeros, widths 32/64/128), sampling, topk (with
// the mask and the score GEMM before it), adam, embedding (gather/scatter).
//
// How it times (KERNELS.md section 9):
// - Peak: cudaMemcpyAsync device to device of 1 GiB, counted as 2 GiB moved
//   (read + write), median of 21; measured once per run. "% copy" in the
//   table is a kernel's GB/s over this.
// - Each case: kWarmup untimed calls, then kRuns calls, each between two
//   events on the compute stream; the median call. Host work inside a call
//   (cuSPARSE descriptors in kernels/) counts when the GPU waits for it.
// - Inputs rotated: every input and output exists in `copies` copies, as
//   many as make one pass over all copies move >= 4 x the L2 size (at most
//   kMaxCopies), and call i uses copy i % copies: a call does not find its
//   inputs in L2 from the call before. "warm" rows use one copy (inputs
//   L2-resident where they fit, as when training repeats a layer).
// - GB/s and GFLOP/s come from the bytes and flops in each kernel header's
//   "Cost" line: the bytes a kernel must move at least (SpMM reads X once).
// - SpMM variants are checked against the CPU reference before they are
//   timed, with Y first filled with NaN (so a cuSPARSE beta = 0 that keeps
//   NaN shows up; KERNELS.md "to confirm" 1). Other kernels are checked
//   against the CPU by tests/ (test_kernels), which the suite runs first.
//
// SpMM variants: "ours" and "cusparse_alg2/alg3" are spmm_csr<Cuda> as
// kernels/spmm.h calls them (cuSPARSE descriptors, buffer size and Y's memset
// on every call); "cusparse_algN planned" are bench-only: descriptors, buffer
// and (ALG1, ALG3) cusparseSpMM_preprocess done once, the call alone timed (the library's
// best case; ALG1 exists only here).
//
// Exit status 1 when a check fails or a case throws; "not supported" from
// cuSPARSE is reported in its row and is not a failure.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <functional>
#include <string>
#include <vector>

#include "bench/bench_graphs.h"
#include "core/cuda_context.h"
#include "core/device.h"
#include "core/error.h"
#include "core/tensor.h"
#include "kernels/adam.h"
#include "kernels/embedding.h"
#include "kernels/gemm.h"
#include "kernels/sampling.h"
#include "kernels/spmm.h"
#include "kernels/topk.h"

namespace gnnrec::bench {
namespace {

constexpr int kWarmup = 5;
constexpr int kRuns = 51;  // odd: the median is one call's time
constexpr int kMaxCopies = 32;
constexpr std::int64_t kBatch = 2048;            // LightGCN's BPR batch
constexpr std::int64_t kBatchRows = 3 * kBatch;  // its users, positives and negatives
constexpr std::int64_t kChunk = 1024;            // users per evaluation chunk
constexpr int kTopK = 20;

// A case cuSPARSE refuses (CUSPARSE_STATUS_NOT_SUPPORTED): reported, not failed.
struct NotSupported : std::exception {
  const char* what() const noexcept override { return "not supported by cuSPARSE"; }
};

// Owns the events of one timing.
struct Events {
  std::vector<cudaEvent_t> events;
  explicit Events(int n) : events(static_cast<std::size_t>(n), nullptr) {
    for (cudaEvent_t& e : events) CUDA_CHECK(cudaEventCreate(&e));
  }
  ~Events() {
    for (cudaEvent_t e : events) {
      if (e) CUDA_CHECK_PRINT(cudaEventDestroy(e));
    }
  }
};

// The median time of `runs` calls launch(call), after `warmup` untimed ones.
double median_ms(const std::function<void(int)>& launch, int warmup = kWarmup, int runs = kRuns) {
  for (int call = 0; call < warmup; ++call) launch(call);
  Events timing(2 * runs);
  for (int r = 0; r < runs; ++r) {
    CUDA_CHECK(cudaEventRecord(timing.events[2 * r], cuda::stream()));
    launch(warmup + r);
    CUDA_CHECK(cudaEventRecord(timing.events[2 * r + 1], cuda::stream()));
  }
  CUDA_CHECK(cudaStreamSynchronize(cuda::stream()));
  std::vector<float> ms(static_cast<std::size_t>(runs));
  for (int r = 0; r < runs; ++r) {
    CUDA_CHECK(cudaEventElapsedTime(&ms[r], timing.events[2 * r], timing.events[2 * r + 1]));
  }
  std::nth_element(ms.begin(), ms.begin() + runs / 2, ms.end());
  return ms[runs / 2];
}

// The table, and what its percentages are relative to.
class Table {
 public:
  Table() {
    int device = 0, l2 = 0;
    CUDA_CHECK(cudaGetDevice(&device));
    CUDA_CHECK(cudaDeviceGetAttribute(&l2, cudaDevAttrL2CacheSize, device));
    l2_bytes_ = l2;
    constexpr std::int64_t kFloats = std::int64_t{1} << 28;  // 1 GiB
    const Tensor src = Tensor::zeros({kFloats}, DType::F32, Device::cuda());
    Tensor dst = Tensor::empty({kFloats}, DType::F32, Device::cuda());
    const double ms = median_ms(
        [&](int) {
          CUDA_CHECK(cudaMemcpyAsync(dst.raw_data(), src.raw_data(), src.nbytes(),
                                     cudaMemcpyDeviceToDevice, cuda::stream()));
        },
        2, 21);
    copy_gbs_ = 2.0 * static_cast<double>(src.nbytes()) / ms / 1e6;
    std::printf("- L2: %.0f MiB; measured copy bandwidth: %.0f GB/s (1 GiB device to device)\n",
                l2_bytes_ / 1048576.0, copy_gbs_);
    std::printf("- %d warm-up calls, median of %d; inputs rotated over `copies` copies\n\n",
                kWarmup, kRuns);
    std::printf("| kernel | shape | copies | median ms | GB/s | GFLOP/s | %% copy |\n");
    std::printf("|---|---|---|---|---|---|---|\n");
  }

  // Copies of a case's inputs so that one pass over them moves >= 4 x L2.
  int copies_for(double bytes) const {
    return std::clamp(static_cast<int>(std::ceil(4.0 * l2_bytes_ / bytes)), 1, kMaxCopies);
  }

  // Times launch(call) over `copies` rotated inputs (the caller maps call to
  // copy) and prints the row.
  void time(const std::string& kernel, const std::string& shape, int copies, double bytes,
            double flops, const std::function<void(int)>& launch) {
    const double ms = median_ms(launch);
    const double gbs = bytes / ms / 1e6;
    std::printf("| %s | %s | %d | %.4g | %.0f | ", kernel.c_str(), shape.c_str(), copies, ms, gbs);
    if (flops > 0.0) {
      std::printf("%.1f", flops / ms / 1e6);
    } else {
      std::printf("-");
    }
    std::printf(" | %.0f%% |\n", 100.0 * gbs / copy_gbs_);
    std::fflush(stdout);
  }

  // Runs body() (a case's setup and time()); an exception becomes a row.
  void guarded(const std::string& kernel, const std::string& shape,
               const std::function<void()>& body) {
    try {
      body();
    } catch (const NotSupported& e) {
      std::printf("| %s | %s | | %s | | | |\n", kernel.c_str(), shape.c_str(), e.what());
    } catch (const std::exception& e) {
      ++failures_;
      std::string why = e.what();
      std::replace(why.begin(), why.end(), '\n', ' ');  // one table row
      std::printf("| %s | %s | | FAILED: %s | | | |\n", kernel.c_str(), shape.c_str(), why.c_str());
    }
    std::fflush(stdout);
  }

  int failures() const { return failures_; }

 private:
  double l2_bytes_ = 0.0;
  double copy_gbs_ = 0.0;
  int failures_ = 0;
};

// ---- Inputs on the GPU ---------------------------------------------------------

// `copies` GPU copies of a host vector.
template <class T>
std::vector<Tensor> on_gpu(const std::vector<T>& values, const Shape& shape, int copies) {
  std::vector<Tensor> out;
  for (int c = 0; c < copies; ++c) {
    out.push_back(Tensor::from_vector(values, shape, Device::cuda()));
  }
  return out;
}
std::vector<Csr> on_gpu(const Csr& csr, int copies) {
  std::vector<Csr> out;
  for (int c = 0; c < copies; ++c) out.push_back(csr.to(Device::cuda()));
  return out;
}
template <class T>
T& pick(std::vector<T>& copies, int call) {
  return copies[static_cast<std::size_t>(call) % copies.size()];
}

// ---- SpMM ----------------------------------------------------------------------

struct SpmmCopy {
  Csr a;     // on the GPU
  Tensor x;  // (n_cols, dim)
  Tensor y;  // (n_rows, dim)
};

// cuSPARSE SpMM with everything but the call done once. init() after
// construction, so the destructor frees what a failing init() made.
class CusparsePlan {
 public:
  CusparsePlan() = default;
  CusparsePlan(const CusparsePlan&) = delete;
  CusparsePlan& operator=(const CusparsePlan&) = delete;
  ~CusparsePlan() {
    if (a_) (void)cusparseDestroySpMat(a_);
    if (x_) (void)cusparseDestroyDnMat(x_);
    if (y_) (void)cusparseDestroyDnMat(y_);
  }

  void init(SpmmCopy& in, std::int64_t dim, cusparseSpMMAlg_t alg) {
    const CsrView a = in.a.view();
    alg_ = alg;
    CUSPARSE_CHECK(cusparseCreateConstCsr(&a_, a.n_rows, a.n_cols, a.nnz, a.row_ptr, a.col_idx,
                                          a.values, CUSPARSE_INDEX_32I, CUSPARSE_INDEX_32I,
                                          CUSPARSE_INDEX_BASE_ZERO, CUDA_R_32F));
    CUSPARSE_CHECK(cusparseCreateConstDnMat(&x_, a.n_cols, dim, dim, in.x.data<float>(), CUDA_R_32F,
                                            CUSPARSE_ORDER_ROW));
    CUSPARSE_CHECK(cusparseCreateDnMat(&y_, a.n_rows, dim, dim, in.y.data<float>(), CUDA_R_32F,
                                       CUSPARSE_ORDER_ROW));
    std::size_t bytes = 0;
    const cusparseStatus_t status = cusparseSpMM_bufferSize(
        cuda::cusparse(), kOp, kOp, &kAlpha, a_, x_, &kBeta, y_, CUDA_R_32F, alg_, &bytes);
    if (status == CUSPARSE_STATUS_NOT_SUPPORTED) throw NotSupported();
    CUSPARSE_CHECK(status);
    buffer_ = Tensor::empty({static_cast<std::int64_t>(bytes / 4 + 1)}, DType::F32, Device::cuda());
    if (alg_ == CUSPARSE_SPMM_CSR_ALG1 || alg_ == CUSPARSE_SPMM_CSR_ALG3) {  // no effect on ALG2
      CUSPARSE_CHECK(cusparseSpMM_preprocess(cuda::cusparse(), kOp, kOp, &kAlpha, a_, x_, &kBeta,
                                             y_, CUDA_R_32F, alg_, buffer_.raw_data()));
    }
  }

  void run() const {
    CUSPARSE_CHECK(cusparseSpMM(cuda::cusparse(), kOp, kOp, &kAlpha, a_, x_, &kBeta, y_, CUDA_R_32F,
                                alg_, buffer_.raw_data()));
  }

 private:
  static constexpr cusparseOperation_t kOp = CUSPARSE_OPERATION_NON_TRANSPOSE;
  static constexpr float kAlpha = 1.0f, kBeta = 0.0f;
  cusparseConstSpMatDescr_t a_ = nullptr;
  cusparseConstDnMatDescr_t x_ = nullptr;
  cusparseDnMatDescr_t y_ = nullptr;
  cusparseSpMMAlg_t alg_ = CUSPARSE_SPMM_CSR_ALG2;
  Tensor buffer_;
};

// Fills copy 0's Y with NaN, runs launch(0) and compares Y with the CPU
// reference: |got - ref| <= 1e-4 (1 + |ref|), room for cuSPARSE's other
// summation order over rows of up to a few thousand terms (ours is bit-equal).
void check_spmm(const std::function<void(int)>& launch, Tensor& y, const std::vector<float>& ref) {
  CUDA_CHECK(cudaMemsetAsync(y.raw_data(), 0xFF, y.nbytes(), cuda::stream()));
  launch(0);
  const std::vector<float> got = y.to_vector<float>();
  for (std::size_t i = 0; i < ref.size(); ++i) {
    GNNREC_CHECK(std::fabs(got[i] - ref[i]) <= 1e-4f * (1.0f + std::fabs(ref[i])),
                 "Y[" << i << "] = " << got[i] << ", the CPU reference " << ref[i]);
  }
}

void bench_spmm(Table& table, const BenchGraph& graph, std::int64_t dim, bool warm) {
  const CsrView host_a = graph.adjacency.view();
  const std::vector<float> x = random_floats(host_a.n_cols * dim, 1);
  std::vector<float> ref(static_cast<std::size_t>(host_a.n_rows * dim));
  spmm_csr<Cpu>(host_a, x.data(), dim, ref.data());
  // CSR + Y + X read once, and 2 flops per non-zero and column (spmm.h).
  const double bytes = 4.0 * (host_a.n_rows + 1) + 8.0 * host_a.nnz + 4.0 * host_a.n_rows * dim +
                       4.0 * host_a.n_cols * dim;
  const double flops = 2.0 * host_a.nnz * dim;
  const int copies = warm ? 1 : table.copies_for(bytes);
  std::vector<SpmmCopy> in(static_cast<std::size_t>(copies));
  for (SpmmCopy& c : in) {
    c.a = graph.adjacency.to(Device::cuda());
    c.x = Tensor::from_vector(x, {host_a.n_cols, dim}, Device::cuda());
    c.y = Tensor::empty({host_a.n_rows, dim}, DType::F32, Device::cuda());
  }
  const std::string shape =
      describe(graph) + ", dim " + std::to_string(dim) + (warm ? ", warm" : "");
  auto timed_and_checked = [&](const std::string& kernel, const std::function<void(int)>& call) {
    table.guarded(kernel, shape, [&] {
      check_spmm(call, in[0].y, ref);
      table.time(kernel, shape, copies, bytes, flops, call);
    });
  };
  for (SpmmAlgo algo : {SpmmAlgo::WarpPerRow, SpmmAlgo::CusparseAlg2, SpmmAlgo::CusparseAlg3}) {
    timed_and_checked(std::string("spmm ") + spmm_algo_name(algo), [&, algo](int call) {
      SpmmCopy& c = pick(in, call);
      spmm_csr<Cuda>(c.a.view(), c.x.data<float>(), dim, c.y.data<float>(), algo);
    });
  }
  const std::pair<const char*, cusparseSpMMAlg_t> planned[] = {
      {"spmm cusparse_alg1 planned", CUSPARSE_SPMM_CSR_ALG1},
      {"spmm cusparse_alg2 planned", CUSPARSE_SPMM_CSR_ALG2},
      {"spmm cusparse_alg3 planned", CUSPARSE_SPMM_CSR_ALG3}};
  for (const auto& variant : planned) {
    table.guarded(variant.first, shape, [&] {
      std::vector<CusparsePlan> plans(static_cast<std::size_t>(copies));
      for (int c = 0; c < copies; ++c) plans[c].init(in[c], dim, variant.second);
      auto call = [&](int i) { pick(plans, i).run(); };
      check_spmm(call, in[0].y, ref);
      table.time(variant.first, shape, copies, bytes, flops, call);
    });
  }
}

// `graph`: Gowalla, or a stand-in that is left out here (the synthetic rows cover it).
void spmm_section(Table& table, const BenchGraph& graph) {
  std::vector<BenchGraph> graphs;
  if (graph.name == "gowalla") graphs.push_back(graph);
  for (std::int64_t nnz : {100000, 1000000, 10000000}) {
    graphs.push_back(synthetic_like_gowalla(nnz, static_cast<std::uint64_t>(nnz)));
  }
  for (const BenchGraph& g : graphs) {
    for (std::int64_t dim : {32, 64, 128}) {
      bench_spmm(table, g, dim, /*warm=*/false);
      if (g.name == "gowalla") bench_spmm(table, g, dim, /*warm=*/true);
    }
  }
}

// ---- Sampling, top-K, Adam, embedding rows ---------------------------------------

void sampling_section(Table& table, const BenchGraph& graph) {
  const Csr& train = graph.train;
  const CsrView host = train.view();
  for (std::int64_t n : {kBatch, std::int64_t{1} << 20}) {
    const std::string shape = describe(graph) + ", " + std::to_string(n) + " samples";
    table.guarded("sample_negatives", shape, [&] {
      const std::vector<std::int32_t> users = random_ints(n, 24, 0, train.n_rows());
      double bytes = 0.0;  // per sample: user, negative, 2 row_ptr, one draw's binary search
      for (std::int32_t u : users) {
        bytes += 16.0 + 4.0 * std::ceil(std::log2(host.row_ptr[u + 1] - host.row_ptr[u] + 1.0));
      }
      const int copies = table.copies_for(bytes);
      std::vector<Csr> positives = on_gpu(train, copies);
      std::vector<Tensor> user_copies = on_gpu(users, {n}, copies);
      std::vector<Tensor> out = on_gpu(std::vector<std::int32_t>(users.size()), {n}, copies);
      table.time("sample_negatives", shape, copies, bytes, 0.0, [&](int call) {
        sample_negatives<Cuda>(n, pick(positives, call).view(),
                               pick(user_copies, call).data<std::int32_t>(), train.n_cols(), 42,
                               static_cast<std::uint64_t>(call),
                               pick(out, call).data<std::int32_t>());
      });
    });
  }
}

void topk_section(Table& table, const BenchGraph& graph) {
  const std::int64_t n_items = graph.train.n_cols();
  const std::string shape = "(" + std::to_string(kChunk) + ", " + std::to_string(n_items) + ")";
  const std::vector<float> host_scores = random_floats(kChunk * n_items, 25);
  const double score_bytes = 4.0 * kChunk * n_items;
  const std::string gemm_shape = shape + " = (1024, 64) x (" + std::to_string(n_items) + ", 64)^T";
  table.guarded("gemm scores", gemm_shape, [&] {
    const double bytes = 4.0 * (kChunk * 64 + n_items * 64) + score_bytes;
    const int copies = table.copies_for(bytes);
    std::vector<Tensor> u = on_gpu(random_floats(kChunk * 64, 26), {kChunk, 64}, copies);
    std::vector<Tensor> items = on_gpu(random_floats(n_items * 64, 27), {n_items, 64}, copies);
    std::vector<Tensor> s = on_gpu(host_scores, {kChunk, n_items}, copies);
    table.time("gemm scores", gemm_shape, copies, bytes, 2.0 * kChunk * n_items * 64,
               [&](int call) {
                 gemm<Cuda>(false, true, kChunk, n_items, 64, 1.0f, pick(u, call).data<float>(),
                            pick(items, call).data<float>(), 0.0f, pick(s, call).data<float>());
               });
  });
  const double n_masked = graph.train.view().row_ptr[kChunk];
  const std::string mask_shape =
      shape + ", " + std::to_string(static_cast<std::int64_t>(n_masked)) + " masked";
  table.guarded("apply_row_mask", mask_shape, [&] {
    const double bytes = 4.0 * (kChunk + 1) + 8.0 * n_masked;  // topk.h
    const int copies = table.copies_for(score_bytes);          // the rows it writes into
    std::vector<Csr> masks = on_gpu(graph.train, copies);
    std::vector<Tensor> s = on_gpu(host_scores, {kChunk, n_items}, copies);
    table.time("apply_row_mask", mask_shape, copies, bytes, 0.0, [&](int call) {
      apply_row_mask<Cuda>(kChunk, n_items, pick(masks, call).view(), 0,
                           pick(s, call).data<float>());
    });
  });
  table.guarded("topk_rows k=20", shape, [&] {
    const double bytes = score_bytes + 8.0 * kChunk * kTopK;  // topk.h
    const int copies = table.copies_for(bytes);
    std::vector<Tensor> s = on_gpu(host_scores, {kChunk, n_items}, copies);
    std::vector<Tensor> values =
        on_gpu(std::vector<float>(kChunk * kTopK), {kChunk, kTopK}, copies);
    std::vector<Tensor> indices =
        on_gpu(std::vector<std::int32_t>(kChunk * kTopK), {kChunk, kTopK}, copies);
    table.time("topk_rows k=20", shape, copies, bytes, 0.0, [&](int call) {
      topk_rows<Cuda>(kChunk, n_items, n_items, pick(s, call).data<float>(), kTopK,
                      pick(values, call).data<float>(), pick(indices, call).data<std::int32_t>());
    });
  });
}

void adam_section(Table& table, const BenchGraph& graph) {
  constexpr std::int64_t kDim = 64;
  const std::int64_t n_rows = graph.adjacency.n_rows();
  const std::int64_t n = n_rows * kDim;
  // weight_decay keeps the state away from denormals as calls repeat (each
  // step zeroes the gradient).
  constexpr AdamConfig kConfig{1e-3f, 0.9f, 0.999f, 1e-8f, 1e-4f};
  constexpr double kFlops = 17.0;  // per parameter (adam.h)
  const std::string table_shape = "(" + std::to_string(n_rows) + ", 64)";
  const std::vector<float> host_theta = random_floats(n, 21), host_grad = random_floats(n, 22);
  const std::vector<float> host_zeros(static_cast<std::size_t>(n));
  const std::vector<std::int32_t> rows =
      distinct_ints(kBatchRows, 23, static_cast<std::int32_t>(n_rows));
  for (bool dense : {true, false}) {
    const std::string kernel = dense ? "adam_dense" : "adam_row_sparse";
    const std::string shape =
        dense ? table_shape : std::to_string(kBatchRows) + " rows of " + table_shape;
    table.guarded(kernel, shape, [&] {
      const double n_params = dense ? 1.0 * n : 1.0 * kBatchRows * kDim;
      const double bytes = 32.0 * n_params + (dense ? 0.0 : 4.0 * kBatchRows);
      const int copies = table.copies_for(bytes);
      std::vector<Tensor> theta = on_gpu(host_theta, {n}, copies);
      std::vector<Tensor> grad = on_gpu(host_grad, {n}, copies);
      std::vector<Tensor> m = on_gpu(host_zeros, {n}, copies);
      std::vector<Tensor> v = on_gpu(host_zeros, {n}, copies);
      std::vector<Tensor> row_ids = on_gpu(rows, {kBatchRows}, copies);
      const AdamStep step = dense ? AdamStep::dense(kConfig, 1) : AdamStep::sparse(kConfig, 1);
      table.time(kernel, shape, copies, bytes, kFlops * n_params, [&](int call) {
        float* t = pick(theta, call).data<float>();
        float* g = pick(grad, call).data<float>();
        float* mm = pick(m, call).data<float>();
        float* vv = pick(v, call).data<float>();
        if (dense) {
          adam_dense<Cuda>(n, step, t, g, mm, vv);
        } else {
          adam_row_sparse<Cuda>(kBatchRows, kDim, pick(row_ids, call).data<std::int32_t>(), step, t,
                                g, mm, vv);
        }
      });
    });
  }
}

void embedding_section(Table& table, const BenchGraph& graph) {
  const std::int64_t n_rows = graph.adjacency.n_rows();
  const std::vector<std::int32_t> idx =
      random_ints(kBatchRows, 5, 0, static_cast<std::int32_t>(n_rows));
  for (std::int64_t dim : {32, 64, 128}) {
    const std::string shape = std::to_string(kBatchRows) + " rows of (" + std::to_string(n_rows) +
                              ", " + std::to_string(dim) + ")";
    for (bool gather : {true, false}) {
      const std::string kernel = gather ? "gather_rows" : "scatter_add_rows";
      table.guarded(kernel, shape, [&] {
        // embedding.h: gather 8, scatter-add 12 bytes per element, + the indices.
        const double bytes = (gather ? 8.0 : 12.0) * kBatchRows * dim + 4.0 * kBatchRows;
        const int copies = table.copies_for(bytes);
        std::vector<Tensor> tables = on_gpu(random_floats(n_rows * dim, 4), {n_rows, dim}, copies);
        std::vector<Tensor> rows =
            on_gpu(random_floats(kBatchRows * dim, 6), {kBatchRows, dim}, copies);
        std::vector<Tensor> ids = on_gpu(idx, {kBatchRows}, copies);
        table.time(kernel, shape, copies, bytes, gather ? 0.0 : 1.0 * kBatchRows * dim,
                   [&](int call) {
                     const std::int32_t* i = pick(ids, call).data<std::int32_t>();
                     float* t = pick(tables, call).data<float>();
                     float* r = pick(rows, call).data<float>();
                     if (gather) {
                       gather_rows<Cuda>(kBatchRows, dim, t, i, r);
                     } else {
                       scatter_add_rows<Cuda>(kBatchRows, dim, r, i, t);
                     }
                   });
      });
    }
  }
}

int run(const std::string& filter) {
  const GpuStatus& gpu = probe_gpu();
  if (!gpu.available) {
    const char* require = std::getenv("GNNREC_REQUIRE_GPU");
    std::printf("gpu_kernels: no GPU (%s)\n", gpu.reason.c_str());
    return require && std::string(require) == "1" ? 1 : 0;
  }
  cudaDeviceProp prop{};
  CUDA_CHECK(cudaGetDeviceProperties(&prop, 0));
  std::printf("# gpu_kernels\n\n- device: %s, %d SMs\n", prop.name, prop.multiProcessorCount);
  const BenchGraph graph = gowalla_or_synthetic();
  std::printf("- graph: %s\n", describe(graph).c_str());
  Table table;
  auto wanted = [&](const char* section) {
    return std::string(section).find(filter) != std::string::npos;
  };
  if (wanted("spmm")) spmm_section(table, graph);
  if (wanted("sampling")) sampling_section(table, graph);
  if (wanted("topk")) topk_section(table, graph);
  if (wanted("adam")) adam_section(table, graph);
  if (wanted("embedding")) embedding_section(table, graph);
  if (table.failures() > 0) std::printf("\n%d case(s) FAILED\n", table.failures());
  return table.failures() > 0 ? 1 : 0;
}

}  // namespace
}  // namespace gnnrec::bench

int main(int argc, char** argv) {
  try {
    return gnnrec::bench::run(argc > 1 ? argv[1] : "");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gpu_kernels: %s\n", e.what());
    return 1;
  }
}
