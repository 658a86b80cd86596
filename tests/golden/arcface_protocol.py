"""arcface_torch's verification protocol (eval/verification.py) in plain numpy, for the golden-number scripts.

Written for this project from what arcface_torch's test(), evaluate(), calculate_roc(), calculate_accuracy(),
calculate_val() and calculate_val_far() compute, with the library calls they make spelled out:
- sklearn's KFold(n_splits=10, shuffle=False): contiguous test folds in file order, the first n mod 10 one larger;
- sklearn.preprocessing.normalize: divide each row by sqrt(sum of squares), all-zero rows left as they are;
- scipy's interp1d(kind='slinear') as scipy 1.8.1 built it: a degree-1 B-spline with knots
  [x0, x0 … xn, xn] evaluated by de Boor's recursion. scipy 1.10 (Debian 12) refuses the repeated FAR values that
  calculate_val passes, which 1.8.1 accepted, so the spline is evaluated here directly.
calculate_roc also returns each fold's best threshold (arcface_torch discards it; the engine reports their mean).
"""
import numpy as np

FOLDS = 10
FAR_TARGET = 1e-3


def kfold(n, folds=FOLDS):
    """(train, test) index arrays of sklearn's KFold(n_splits=folds, shuffle=False)."""
    indices = np.arange(n)
    sizes = np.full(folds, n // folds)
    sizes[:n % folds] += 1
    start = 0
    for size in sizes:
        test = indices[start:start + size]
        train = np.concatenate((indices[:start], indices[start + size:]))
        yield train, test
        start += size


def normalize(rows):
    norms = np.sqrt(np.einsum('ij,ij->i', rows, rows))
    norms[norms == 0.0] = 1.0
    return rows / norms[:, np.newaxis]


def slinear(x, y, at):
    """interp1d(x, y, kind='slinear')(at) as scipy 1.8.1 computed it."""
    order = np.argsort(x, kind='mergesort')
    x, c = np.asarray(x)[order], np.asarray(y)[order]
    t = np.concatenate(([x[0]], x, [x[-1]]))
    n = len(c)
    if not (t[1] <= at <= t[n]):
        raise ValueError(f'{at} is outside [{t[1]}, {t[n]}]')
    # The last knot interval [t[l], t[l+1]) holding `at`, l in [1, n - 1] (scipy's find_interval).
    l = 1
    while at >= t[l] and l != n:
        l += 1
    l -= 1
    w = 1.0 / (t[l + 1] - t[l])
    return c[l - 1] * (w * (t[l + 1] - at)) + c[l] * (w * (at - t[l]))


def accuracy_at(threshold, dist, same):
    predict = np.less(dist, threshold)
    tp = np.sum(predict & same)
    fp = np.sum(predict & ~same)
    tn = np.sum(~predict & ~same)
    fn = np.sum(~predict & same)
    tpr = 0 if tp + fn == 0 else float(tp) / float(tp + fn)
    fpr = 0 if fp + tn == 0 else float(fp) / float(fp + tn)
    return tpr, fpr, float(tp + tn) / dist.size


def val_far_at(threshold, dist, same):
    predict = np.less(dist, threshold)
    return float(np.sum(predict & same)) / float(np.sum(same)), float(np.sum(predict & ~same)) / float(np.sum(~same))


def roc(dist, same):
    """Per-fold accuracy at the threshold (0, 0.01 … 3.99) best on the other folds, and that threshold."""
    thresholds = np.arange(0, 4, 0.01)
    accuracies, best = [], []
    for train, test in kfold(len(dist)):
        train_accuracy = [accuracy_at(t, dist[train], same[train])[2] for t in thresholds]
        chosen = thresholds[int(np.argmax(train_accuracy))]
        accuracies.append(accuracy_at(chosen, dist[test], same[test])[2])
        best.append(chosen)
    return np.array(accuracies), np.array(best)


def val(dist, same):
    """VAL at FAR 1e-3 over thresholds 0, 0.001 … 3.999: (mean, std, mean FAR) over the folds."""
    thresholds = np.arange(0, 4, 0.001)
    vals, fars = [], []
    for train, test in kfold(len(dist)):
        far_train = np.array([val_far_at(t, dist[train], same[train])[1] for t in thresholds])
        threshold = slinear(far_train, thresholds, FAR_TARGET) if np.max(far_train) >= FAR_TARGET else 0.0
        v, f = val_far_at(threshold, dist[test], same[test])
        vals.append(v)
        fars.append(f)
    return np.mean(vals), np.std(vals), np.mean(fars)


def evaluate(embedding_lists, same):
    """test()'s numbers from the raw embeddings (original, and mirrored if given) of images 2i and 2i+1 of pair i.

    Returns XNorm, accuracy, its std, the mean best threshold, VAL, its std and FAR.
    """
    norms = [np.linalg.norm(row) for embeddings in embedding_lists for row in embeddings]
    xnorm = sum(norms) / len(norms)  # summed one by one, as test() does
    fused = normalize(sum(embedding_lists[1:], embedding_lists[0].copy()))
    dist = np.sum(np.square(fused[0::2] - fused[1::2]), 1)
    same = np.asarray(same, dtype=bool)
    accuracies, thresholds = roc(dist, same)
    tar, tar_std, far = val(dist, same)
    return dict(xnorm=xnorm, accuracy=np.mean(accuracies), accuracy_std=np.std(accuracies),
                threshold=np.mean(thresholds), tar=tar, tar_std=tar_std, far=far)
