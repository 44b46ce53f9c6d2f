"""The `gender_nbdev_train` command as a user runs it: killed in the middle of its third epoch with SIGKILL
(no chance to clean up), then resumed with `--resume`. The resumed run must finish the planned
number of epochs and keep what was written before the kill."""
from __future__ import annotations
import json, os, signal, subprocess, sys, time
from pathlib import Path

import pandas as pd
import pytest
import torch
from gender_nbdev.data import make_celeba_fixture

BIN = Path(sys.executable).parent

def _train(data:Path, out:Path, env:dict, *extra:str) -> subprocess.Popen:
    cmd = [str(BIN/'gender_nbdev_train'), '--data', str(data), '--out', str(out), '--epochs', '5', '--size', '32',
           '--bs', '16', '--context', '1', *extra]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

def _epochs_done(out:Path) -> int:
    "Epochs recorded in the last checkpoint (0 if there is none yet)."
    try: return torch.load(out/'checkpoints'/'last.pth', weights_only=True)['epoch'] + 1
    except (FileNotFoundError, EOFError, RuntimeError): return 0

def _wait_for_epochs(proc:subprocess.Popen, out:Path, n:int, timeout:float=300) -> float:
    "Wait until `n` epochs are checkpointed; the time then."
    start = time.time()
    while _epochs_done(out) < n:
        assert proc.poll() is None, proc.stdout.read()
        assert time.time() - start < timeout, f'no checkpoint of epoch {n} in time'
        time.sleep(0.02)
    return time.time()

def _kill_mid_epoch(proc:subprocess.Popen, out:Path) -> int:
    "SIGKILL `proc` about 40% into its third epoch; the epochs it had checkpointed."
    one = _wait_for_epochs(proc, out, 1)
    epoch = _wait_for_epochs(proc, out, 2) - one  # how long an epoch takes here
    time.sleep(epoch * 0.4)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return _epochs_done(out)

def test_killed_run_resumes(tmp_path):
    data = make_celeba_fixture(tmp_path/'celeba', n=(1200, 60, 60))
    out, env = tmp_path/'run', dict(os.environ, GENDER_NBDEV_CACHE=str(tmp_path/'cache'))
    proc = _train(data, out, env)
    done = _kill_mid_epoch(proc, out)
    assert proc.returncode == -signal.SIGKILL
    assert done == 2, f'killed after {done} epochs: not in the middle of the third'
    before = torch.load(out/'checkpoints'/'last.pth', weights_only=True)['history']
    assert not (out/'metrics.json').exists()

    resumed = _train(data, out, env, '--resume')
    log, _ = resumed.communicate(timeout=600)
    assert resumed.returncode == 0, log
    metrics = json.loads((out/'metrics.json').read_text())
    assert metrics['epochs'] == 5
    history = pd.read_csv(out/'history.csv', index_col='epoch')
    assert history.index.tolist() == [0, 1, 2, 3, 4]
    for row in before: assert history.loc[row['epoch'], 'valid_loss'] == pytest.approx(row['valid_loss'])
    assert (out/'model.safetensors').exists() and json.loads((out/'model.json').read_text())['metrics'] == metrics

def test_bad_data_folder_is_one_clear_line(tmp_path):
    proc = subprocess.run([str(BIN/'gender_nbdev_train'), '--data', str(tmp_path/'nowhere')], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"error: {tmp_path/'nowhere'}: CelebA folder not found (see `download_celeba`)"

def test_celeba_and_photo_folders_train_together(tmp_path):
    "`--data` takes a CelebA folder and a labelled photo folder; the photos join the train partition, weighted by `--sources`, and model.json says so."
    from gender_nbdev.sources import make_photo_fixture
    celeba = make_celeba_fixture(tmp_path/'celeba', n=(200, 60, 60))
    photos = make_photo_fixture(tmp_path/'photos', celeba, n=80)
    out, env = tmp_path/'run', dict(os.environ, GENDER_NBDEV_CACHE=str(tmp_path/'cache'), GENDER_NBDEV_PROGRESS='lines')
    cmd = [str(BIN/'gender_nbdev_train'), '--data', str(celeba), str(photos), '--out', str(out), '--epochs', '1', '--size', '32',
           '--bs', '16', '--context', '1', '--sources', 'photos=2']
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    model = json.loads((out/'model.json').read_text())
    assert model['recipe']['sources'] == 'photos=2'
    photo_rows = [r for r in model['data']['by_folder'] if r['folder'] == 'photos']
    assert photo_rows == [dict(folder='photos', kind='photos', partition='train', images=80, people=80)]
    assert json.loads((out/'metrics.json').read_text())['n_train'] == 200 + 80

def test_unknown_source_weight_is_one_clear_line(tmp_path):
    celeba = make_celeba_fixture(tmp_path/'celeba', n=(40, 20, 20))
    proc = subprocess.run([str(BIN/'gender_nbdev_train'), '--data', str(celeba), '--sources', 'utk=2', '--out', str(tmp_path/'run')],
                          capture_output=True, text=True, env=dict(os.environ, GENDER_NBDEV_CACHE=str(tmp_path/'cache')))
    assert proc.returncode == 2
    assert proc.stderr.strip() == "error: source weight 'utk=2': no training folder 'utk' (the folders are celeba)"
