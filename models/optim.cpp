// Dense and row-sparse Adam over autograd parameters; the semantics are in
// the header, the per-element update in kernels/adam.h.
#include "models/optim.h"

#include <vector>

namespace gnnrec {
namespace {

void check_parameter(const char* optimizer, const ag::Var& param, std::size_t index) {
  GNNREC_CHECK(
      param.defined() && param.requires_grad(),
      optimizer << ": parameter " << index << " is not a parameter (make it with Var::parameter)");
  GNNREC_CHECK(param.value().dtype() == DType::F32, optimizer << ": parameter " << index
                                                              << " must be f32, got "
                                                              << dtype_name(param.value().dtype()));
}

Tensor zeros_like(const Tensor& t) { return Tensor::zeros(t.shape(), DType::F32, t.device()); }

// On the CPU: every row id in [0, n_table_rows) and none repeated (the
// kernel updates each listed row once per id; a repeat would step it twice).
void check_distinct_rows(const Tensor& rows, std::int64_t n_table_rows) {
  if (!rows.device().is_cpu()) return;
  std::vector<bool> seen(static_cast<std::size_t>(n_table_rows), false);
  const std::int32_t* ids = rows.data<std::int32_t>();
  for (std::int64_t i = 0; i < rows.numel(); ++i) {
    GNNREC_CHECK(ids[i] >= 0 && ids[i] < n_table_rows, "SparseAdam: row "
                                                           << ids[i] << " at position " << i
                                                           << " is out of range for a table with "
                                                           << n_table_rows << " rows");
    GNNREC_CHECK(!seen[static_cast<std::size_t>(ids[i])],
                 "SparseAdam: row " << ids[i] << " is listed twice (rows must be distinct)");
    seen[static_cast<std::size_t>(ids[i])] = true;
  }
}

}  // namespace

Adam::Adam(std::vector<ag::Var> params, const AdamConfig& config)
    : params_(std::move(params)), config_(config) {
  for (std::size_t i = 0; i < params_.size(); ++i) {
    check_parameter("Adam", params_[i], i);
    try {
      m_.push_back(zeros_like(params_[i].value()));
      v_.push_back(zeros_like(params_[i].value()));
    } catch (const OutOfMemory& e) {
      throw OutOfMemory(std::string(e.what()) + " for Adam's moments of a parameter of shape " +
                            shape_str(params_[i].value().shape()),
                        e.where());
    }
  }
}

void Adam::load_state(std::int64_t step_count, const std::vector<Tensor>& first_moments,
                      const std::vector<Tensor>& second_moments) {
  GNNREC_CHECK(
      step_count >= 0 && first_moments.size() == m_.size() && second_moments.size() == v_.size(),
      "Adam: saved state has " << first_moments.size() << " parameters, the model has "
                               << m_.size());
  for (std::size_t i = 0; i < m_.size(); ++i) {
    GNNREC_CHECK(
        first_moments[i].shape() == m_[i].shape() && second_moments[i].shape() == v_[i].shape(),
        "Adam: saved state of parameter "
            << i << " has shape " << shape_str(first_moments[i].shape()) << ", the parameter has "
            << shape_str(m_[i].shape()));
    m_[i].copy_from(first_moments[i]);
    v_[i].copy_from(second_moments[i]);
  }
  t_ = step_count;
}

void Adam::step() {
  ++t_;
  const AdamStep adam_step = AdamStep::dense(config_, t_);
  for (std::size_t i = 0; i < params_.size(); ++i) {
    // value() is const for readers; the optimizer is the one writer of theta.
    Tensor theta = params_[i].value();
    Tensor& grad = params_[i].grad();  // zeros on first use: untouched params still move
    GNNREC_DISPATCH(theta.device(), adam_dense, theta.numel(), adam_step, theta.data<float>(),
                    grad.data<float>(), m_[i].data<float>(), v_[i].data<float>());
    params_[i].mark_grad_zeroed();  // the kernel zeroed it: the next step may overwrite it
  }
}

SparseAdam::SparseAdam(ag::Var table, const AdamConfig& config)
    : table_(std::move(table)), config_(config) {
  check_parameter("SparseAdam", table_, 0);
  GNNREC_CHECK(table_.value().ndim() == 2, "SparseAdam: the table must be 2-D, got shape "
                                               << shape_str(table_.value().shape()));
  m_ = zeros_like(table_.value());
  v_ = zeros_like(table_.value());
}

void SparseAdam::step(const Tensor& rows) {
  Tensor theta = table_.value();
  GNNREC_CHECK(rows.defined() && rows.dtype() == DType::I32 && rows.ndim() == 1,
               "SparseAdam: rows must be a 1-D i32 tensor, got "
                   << (rows.defined() ? dtype_name(rows.dtype()) : "undefined") << " of shape "
                   << shape_str(rows.shape()));
  check_same_device("SparseAdam", theta, rows);
  check_distinct_rows(rows, theta.rows());
  ++t_;
  const AdamStep adam_step = AdamStep::sparse(config_, t_);
  Tensor& grad = table_.grad();
  GNNREC_DISPATCH(theta.device(), adam_row_sparse, rows.numel(), theta.cols(),
                  rows.data<std::int32_t>(), adam_step, theta.data<float>(), grad.data<float>(),
                  m_.data<float>(), v_.data<float>());
}

}  // namespace gnnrec
