// CPU kernel benchmarks (issue 5): Google Benchmark over every op family of
// kernels/, on the shapes LightGCN and SAGE use on Gowalla.
//
//   build/bench/cpu_kernels                            # everything, ~2 min on 2 cores
//   build/bench/cpu_kernels --benchmark_filter=Spmm    # one family
//
// The graph is Gowalla's (bench_graphs.h says where it is looked for); when
// it is absent a synthetic power-law graph of the same size stands in, and
// every label that depends on it says so. N = its 70,839 nodes; "dim" is the
// embedding width. Shapes:
//   Spmm          Y (N, dim) = Â (N x N, 1,620,256 nnz) · X (N, dim)     one propagation layer
//   GemmXWt       Y (N, dim) = X (N, dim) · W (dim, dim)ᵀ                 SAGE's linear layer
//   GemmDyW       dX (N, dim) += dY (N, dim) · W (dim, dim)               its input gradient
//   GemmDyTX      dW (dim, dim) += dY (N, dim)ᵀ · X (N, dim)              its weight gradient
//   GemmScores    S (1024, n_items) = U (1024, 64) · I (n_items, 64)ᵀ     one evaluation chunk
//   Gather/Scatter  6,144 rows of (N, dim): a BPR batch's 2,048 users + 4,096 items
//   AddScaled, Relu (N x dim elements); WeightedSum: the mean of 4 layers (N, dim)
//   RowDot        (2,048, dim) pairs: a BPR batch's scores
//   Sum           2,048 loss terms, and N x 64 elements
//   BprLoss 2,048 terms; BceLoss 8,192 (SAGE: 4,096 positives + 4,096 negatives)
//   Adam          dense over (N, 64); row-sparse over 6,144 distinct rows of it
//   NegativeSampling  2,048 users against the training CSR (n_users x n_items)
//   ApplyRowMask, TopK (k = 20)  a (1024, n_items) score chunk, users 0..1023
//   ScoreTopK     GemmScores, ApplyRowMask and TopK in one pass
//
// Every input is built before the timed loop. Counters, per call, from the
// "Cost" line of each kernel header (the bytes a kernel must move at least,
// e.g. SpMM reads X once): bytes_per_second, FLOP/s where flops are
// documented, and items_per_second with the item named in the label.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "bench/bench_graphs.h"
#include "kernels/adam.h"
#include "kernels/elementwise.h"
#include "kernels/embedding.h"
#include "kernels/gemm.h"
#include "kernels/loss.h"
#include "kernels/reduce.h"
#include "kernels/sampling.h"
#include "kernels/spmm.h"
#include "kernels/topk.h"

namespace gnnrec::bench {
namespace {

constexpr std::int64_t kBatch = 2048;            // LightGCN's BPR batch
constexpr std::int64_t kBatchRows = 3 * kBatch;  // its users, positives and negatives
constexpr std::int64_t kChunk = 1024;            // users per evaluation chunk
constexpr int kTopK = 20;

const BenchGraph& graph() {
  static const BenchGraph g = gowalla_or_synthetic();
  return g;
}
std::int64_t n_nodes() { return graph().adjacency.n_rows(); }
std::int64_t n_items() { return graph().train.n_cols(); }

// One call's documented cost; the counters multiply by the iterations.
struct Cost {
  double bytes = 0.0;
  double flops = 0.0;
  double items = 0.0;
};

void report(benchmark::State& state, const Cost& cost, const std::string& items_are,
            bool depends_on_graph = false) {
  const auto iterations = static_cast<double>(state.iterations());
  state.SetBytesProcessed(static_cast<std::int64_t>(iterations * cost.bytes));
  state.SetItemsProcessed(static_cast<std::int64_t>(iterations * cost.items));
  if (cost.flops > 0.0) {
    state.counters["FLOP/s"] =
        benchmark::Counter(cost.flops, benchmark::Counter::kIsIterationInvariantRate);
  }
  state.SetLabel((depends_on_graph ? describe(graph()) + "; " : "") + "items: " + items_are);
}

std::vector<float> zeros(std::int64_t n) { return std::vector<float>(static_cast<std::size_t>(n)); }

// ---- spmm.h ------------------------------------------------------------------

void BM_Spmm(benchmark::State& state) {
  const std::int64_t dim = state.range(0);
  const CsrView a = graph().adjacency.view();
  const std::vector<float> x = random_floats(a.n_cols * dim, 1);
  std::vector<float> y = zeros(a.n_rows * dim);
  for (auto _ : state) {
    spmm_csr<Cpu>(a, x.data(), dim, y.data());
    benchmark::ClobberMemory();
  }
  // CSR + Y + X read once (the lower bound of the header's cost line).
  const double bytes =
      4.0 * (a.n_rows + 1) + 8.0 * a.nnz + 4.0 * a.n_rows * dim + 4.0 * a.n_cols * dim;
  report(state, {bytes, 2.0 * a.nnz * dim, static_cast<double>(a.nnz)}, "non-zeros", true);
}

// ---- gemm.h ------------------------------------------------------------------

// C (m x n) = op(A) · op(B) + beta * C, timed; inputs random, C zeroed.
void run_gemm(benchmark::State& state, bool trans_a, bool trans_b, std::int64_t m, std::int64_t n,
              std::int64_t k, float beta) {
  const std::vector<float> a = random_floats(m * k, 2, -0.1f, 0.1f);
  const std::vector<float> b = random_floats(k * n, 3, -0.1f, 0.1f);
  std::vector<float> c = zeros(m * n);
  for (auto _ : state) {
    gemm<Cpu>(trans_a, trans_b, m, n, k, 1.0f, a.data(), b.data(), beta, c.data());
    benchmark::ClobberMemory();
  }
  const double c_bytes = (beta == 0.0f ? 4.0 : 8.0) * m * n;  // beta != 0 reads C too
  report(state, {4.0 * (m * k + k * n) + c_bytes, 2.0 * m * n * k, static_cast<double>(m * n)},
         "outputs");
}

void BM_GemmXWt(benchmark::State& state) {
  const std::int64_t dim = state.range(0);
  run_gemm(state, false, true, n_nodes(), dim, dim, 0.0f);
}
void BM_GemmDyW(benchmark::State& state) {
  const std::int64_t dim = state.range(0);
  run_gemm(state, false, false, n_nodes(), dim, dim, 1.0f);
}
void BM_GemmDyTX(benchmark::State& state) {
  const std::int64_t dim = state.range(0);
  run_gemm(state, true, false, dim, dim, n_nodes(), 1.0f);
}
void BM_GemmScores(benchmark::State& state) {
  run_gemm(state, false, true, kChunk, n_items(), 64, 0.0f);
}

// ---- embedding.h ---------------------------------------------------------------

void BM_Gather(benchmark::State& state) {
  const std::int64_t dim = state.range(0);
  const std::vector<float> table = random_floats(n_nodes() * dim, 4);
  const std::vector<std::int32_t> idx =
      random_ints(kBatchRows, 5, 0, static_cast<std::int32_t>(n_nodes()));
  std::vector<float> out = zeros(kBatchRows * dim);
  for (auto _ : state) {
    gather_rows<Cpu>(kBatchRows, dim, table.data(), idx.data(), out.data());
    benchmark::ClobberMemory();
  }
  report(state, {8.0 * kBatchRows * dim + 4.0 * kBatchRows, 0.0, 1.0 * kBatchRows}, "rows");
}

void BM_Scatter(benchmark::State& state) {
  const std::int64_t dim = state.range(0);
  std::vector<float> dtable = zeros(n_nodes() * dim);
  const std::vector<std::int32_t> idx =
      random_ints(kBatchRows, 5, 0, static_cast<std::int32_t>(n_nodes()));
  const std::vector<float> dout = random_floats(kBatchRows * dim, 6);
  for (auto _ : state) {
    scatter_add_rows<Cpu>(kBatchRows, dim, dout.data(), idx.data(), dtable.data());
    benchmark::ClobberMemory();
  }
  report(state,
         {12.0 * kBatchRows * dim + 4.0 * kBatchRows, 1.0 * kBatchRows * dim, 1.0 * kBatchRows},
         "rows");
}

// ---- elementwise.h ---------------------------------------------------------------

void BM_AddScaled(benchmark::State& state) {
  const std::int64_t n = n_nodes() * state.range(0);
  const std::vector<float> x = random_floats(n, 7);
  std::vector<float> y = random_floats(n, 8);
  for (auto _ : state) {
    add_scaled<Cpu>(n, 1e-3f, x.data(), y.data());
    benchmark::ClobberMemory();
  }
  report(state, {12.0 * n, 2.0 * n, 1.0 * n}, "elements");
}

void BM_WeightedSum(benchmark::State& state) {
  constexpr int kLayers = 4;  // E⁰..E³ of a 3-layer LightGCN
  const std::int64_t n = n_nodes() * state.range(0);
  std::vector<std::vector<float>> layers;
  WeightedInputs inputs{};
  inputs.count = kLayers;
  for (int k = 0; k < kLayers; ++k) {
    layers.push_back(random_floats(n, 9 + k));
    inputs.x[k] = layers.back().data();
    inputs.weight[k] = 1.0f / kLayers;
  }
  std::vector<float> out = zeros(n);
  for (auto _ : state) {
    weighted_sum<Cpu>(n, inputs, out.data());
    benchmark::ClobberMemory();
  }
  report(state, {4.0 * (kLayers + 1) * n, 2.0 * kLayers * n, 1.0 * n}, "elements");
}

void BM_Relu(benchmark::State& state) {
  const std::int64_t n = n_nodes() * state.range(0);
  const std::vector<float> x = random_floats(n, 13);
  std::vector<float> out = zeros(n);
  for (auto _ : state) {
    relu_forward<Cpu>(n, x.data(), out.data());
    benchmark::ClobberMemory();
  }
  report(state, {8.0 * n, 0.0, 1.0 * n}, "elements");
}

void BM_RowDot(benchmark::State& state) {
  const std::int64_t dim = state.range(0);
  const std::vector<float> a = random_floats(kBatch * dim, 14);
  const std::vector<float> b = random_floats(kBatch * dim, 15);
  std::vector<float> out = zeros(kBatch);
  for (auto _ : state) {
    row_dot<Cpu>(kBatch, dim, a.data(), b.data(), out.data());
    benchmark::ClobberMemory();
  }
  report(state, {(8.0 * dim + 4.0) * kBatch, 2.0 * dim * kBatch, 1.0 * kBatch}, "rows");
}

// ---- reduce.h and loss.h --------------------------------------------------------

void BM_Sum(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const std::vector<float> x = random_floats(n, 16);
  float out = 0.0f;
  for (auto _ : state) {
    sum<Cpu>(n, x.data(), &out);
    benchmark::ClobberMemory();
  }
  report(state, {4.0 * n, 1.0 * n, 1.0 * n}, "elements");
}

void BM_BprLossForward(benchmark::State& state) {
  const std::vector<float> pos = random_floats(kBatch, 17), neg = random_floats(kBatch, 18);
  std::vector<float> terms = zeros(kBatch);
  for (auto _ : state) {
    bpr_loss_forward<Cpu>(kBatch, pos.data(), neg.data(), terms.data());
    benchmark::ClobberMemory();
  }
  report(state, {12.0 * kBatch, 0.0, 1.0 * kBatch}, "terms");
}

void BM_BprLossBackward(benchmark::State& state) {
  const std::vector<float> pos = random_floats(kBatch, 17), neg = random_floats(kBatch, 18);
  std::vector<float> dpos = zeros(kBatch), dneg = zeros(kBatch);
  const float dloss = 1.0f;
  for (auto _ : state) {
    bpr_loss_backward<Cpu>(kBatch, 1.0f / kBatch, &dloss, pos.data(), neg.data(), dpos.data(),
                           dneg.data());
    benchmark::ClobberMemory();
  }
  report(state, {24.0 * kBatch, 0.0, 1.0 * kBatch}, "terms");
}

constexpr std::int64_t kBceTerms = 2 * 4096;

void BM_BceLossForward(benchmark::State& state) {
  const std::vector<float> logits = random_floats(kBceTerms, 19, -4.0f, 4.0f);
  const std::vector<float> labels = random_floats(kBceTerms, 20, 0.0f, 1.0f);
  std::vector<float> terms = zeros(kBceTerms);
  for (auto _ : state) {
    bce_with_logits_forward<Cpu>(kBceTerms, logits.data(), labels.data(), terms.data());
    benchmark::ClobberMemory();
  }
  report(state, {12.0 * kBceTerms, 0.0, 1.0 * kBceTerms}, "terms");
}

void BM_BceLossBackward(benchmark::State& state) {
  const std::vector<float> logits = random_floats(kBceTerms, 19, -4.0f, 4.0f);
  const std::vector<float> labels = random_floats(kBceTerms, 20, 0.0f, 1.0f);
  std::vector<float> dlogits = zeros(kBceTerms);
  const float dloss = 1.0f;
  for (auto _ : state) {
    bce_with_logits_backward<Cpu>(kBceTerms, 1.0f / kBceTerms, &dloss, logits.data(), labels.data(),
                                  dlogits.data());
    benchmark::ClobberMemory();
  }
  report(state, {16.0 * kBceTerms, 0.0, 1.0 * kBceTerms}, "terms");
}

// ---- adam.h ------------------------------------------------------------------------

// weight_decay keeps g, and so m and v, away from denormals as the loop
// repeats (the gradient is zeroed by each step).
constexpr AdamConfig kAdam{1e-3f, 0.9f, 0.999f, 1e-8f, 1e-4f};
constexpr double kAdamFlops = 17.0;  // per parameter (adam.h)

void BM_AdamDense(benchmark::State& state) {
  const std::int64_t n = n_nodes() * 64;
  std::vector<float> theta = random_floats(n, 21), grad = random_floats(n, 22);
  std::vector<float> m = zeros(n), v = zeros(n);
  const AdamStep step = AdamStep::dense(kAdam, 1);
  for (auto _ : state) {
    adam_dense<Cpu>(n, step, theta.data(), grad.data(), m.data(), v.data());
    benchmark::ClobberMemory();
  }
  report(state, {32.0 * n, kAdamFlops * n, 1.0 * n}, "parameters");
}

void BM_AdamRowSparse(benchmark::State& state) {
  constexpr std::int64_t kDim = 64;
  const std::int64_t n = n_nodes() * kDim;
  std::vector<float> theta = random_floats(n, 21), grad = random_floats(n, 22);
  std::vector<float> m = zeros(n), v = zeros(n);
  const std::vector<std::int32_t> rows =
      distinct_ints(kBatchRows, 23, static_cast<std::int32_t>(n_nodes()));
  const AdamStep step = AdamStep::sparse(kAdam, 1);
  for (auto _ : state) {
    adam_row_sparse<Cpu>(kBatchRows, kDim, rows.data(), step, theta.data(), grad.data(), m.data(),
                         v.data());
    benchmark::ClobberMemory();
  }
  const double n_params = 1.0 * kBatchRows * kDim;
  report(state, {32.0 * n_params + 4.0 * kBatchRows, kAdamFlops * n_params, n_params},
         "parameters");
}

// ---- sampling.h ----------------------------------------------------------------------

void BM_NegativeSampling(benchmark::State& state) {
  const Csr& train = graph().train;
  const CsrView positives = train.view();
  const std::vector<std::int32_t> users = random_ints(kBatch, 24, 0, train.n_rows());
  std::vector<std::int32_t> negatives(kBatch);
  double bytes = 0.0;  // per sample: user, negative, 2 row_ptr, one draw's binary search
  for (std::int32_t u : users) {
    const int degree = positives.row_ptr[u + 1] - positives.row_ptr[u];
    bytes += 16.0 + 4.0 * std::ceil(std::log2(degree + 1.0));
  }
  std::uint64_t step = 0;
  for (auto _ : state) {
    sample_negatives<Cpu>(kBatch, positives, users.data(), train.n_cols(), 42, ++step,
                          negatives.data());
    benchmark::ClobberMemory();
  }
  report(state, {bytes, 0.0, 1.0 * kBatch}, "samples", true);
}

// ---- topk.h ----------------------------------------------------------------------------

void BM_ApplyRowMask(benchmark::State& state) {
  const CsrView mask = graph().train.view();
  std::vector<float> scores = random_floats(kChunk * n_items(), 25);
  for (auto _ : state) {
    apply_row_mask<Cpu>(kChunk, n_items(), mask, 0, scores.data());
    benchmark::ClobberMemory();
  }
  const double n_masked = mask.row_ptr[kChunk];  // rows 0..kChunk-1 start at 0
  report(state, {4.0 * (kChunk + 1) + 8.0 * n_masked, 0.0, n_masked}, "masked scores", true);
}

void BM_TopK(benchmark::State& state) {
  std::vector<float> scores = random_floats(kChunk * n_items(), 25);
  apply_row_mask<Cpu>(kChunk, n_items(), graph().train.view(), 0, scores.data());
  std::vector<float> values = zeros(kChunk * kTopK);
  std::vector<std::int32_t> indices(kChunk * kTopK);
  for (auto _ : state) {
    topk_rows<Cpu>(kChunk, n_items(), n_items(), scores.data(), kTopK, values.data(),
                   indices.data());
    benchmark::ClobberMemory();
  }
  const double n_scores = 1.0 * kChunk * n_items();
  report(state, {4.0 * n_scores + 8.0 * kChunk * kTopK, 0.0, n_scores}, "scores", true);
}

// The three above in one pass (a chunk's scores never leave the cache).
void BM_ScoreTopK(benchmark::State& state) {
  const std::vector<float> users = random_floats(kChunk * 64, 2, -0.1f, 0.1f);
  const std::vector<float> items = random_floats(n_items() * 64, 3, -0.1f, 0.1f);
  std::vector<float> values = zeros(kChunk * kTopK);
  std::vector<std::int32_t> indices(kChunk * kTopK);
  for (auto _ : state) {
    score_topk_rows<Cpu>(kChunk, n_items(), 64, users.data(), items.data(), graph().train.view(), 0,
                         kTopK, values.data(), indices.data());
    benchmark::ClobberMemory();
  }
  const double n_scores = 1.0 * kChunk * n_items();
  report(state,
         {4.0 * (kChunk + n_items()) * 64 + 8.0 * kChunk * kTopK, 2.0 * n_scores * 64, n_scores},
         "scores", true);
}

// ---- registration --------------------------------------------------------------------

void Timed(benchmark::internal::Benchmark* b) {
  b->UseRealTime()->Unit(benchmark::kMicrosecond);  // OpenMP: wall time, not this thread's CPU
}
void Widths(benchmark::internal::Benchmark* b) {
  Timed(b);
  b->ArgName("dim")->Arg(32)->Arg(64)->Arg(128);
}

BENCHMARK(BM_Spmm)->Apply(Widths);
BENCHMARK(BM_GemmXWt)->Apply(Widths);
BENCHMARK(BM_GemmDyW)->Apply(Widths);
BENCHMARK(BM_GemmDyTX)->Apply(Widths);
BENCHMARK(BM_GemmScores)->Apply(Timed);
BENCHMARK(BM_Gather)->Apply(Widths);
BENCHMARK(BM_Scatter)->Apply(Widths);
BENCHMARK(BM_AddScaled)->Apply(Widths);
BENCHMARK(BM_WeightedSum)->Apply(Widths);
BENCHMARK(BM_Relu)->Apply(Widths);
BENCHMARK(BM_RowDot)->Apply(Widths);
BENCHMARK(BM_Sum)->Apply(Timed)->ArgName("n")->Arg(kBatch)->Arg(70839 * 64);
BENCHMARK(BM_BprLossForward)->Apply(Timed);
BENCHMARK(BM_BprLossBackward)->Apply(Timed);
BENCHMARK(BM_BceLossForward)->Apply(Timed);
BENCHMARK(BM_BceLossBackward)->Apply(Timed);
BENCHMARK(BM_AdamDense)->Apply(Timed);
BENCHMARK(BM_AdamRowSparse)->Apply(Timed);
BENCHMARK(BM_NegativeSampling)->Apply(Timed);
BENCHMARK(BM_ApplyRowMask)->Apply(Timed);
BENCHMARK(BM_TopK)->Apply(Timed);
BENCHMARK(BM_ScoreTopK)->Apply(Timed);

}  // namespace
}  // namespace gnnrec::bench

BENCHMARK_MAIN();
