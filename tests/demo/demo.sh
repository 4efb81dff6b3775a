#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the demo VM.
echo "== kernel $(uname -r), module loaded:"
./clone-with-pids --query
echo
echo "== the seed's example"
./demo-seed
echo
echo "== clone-with-pids --pids 4242 -- sh -c 'echo \$\$'"
./clone-with-pids --pids 4242 -- sh -c 'echo $$'
echo
echo "== clone-with-pids --pids 1 -- true   (pid 1 is init's)"
./clone-with-pids --pids 1 -- true
echo "exit status $?"
echo
echo "== restore-tree --nest 2 tree.txt   (an example restorer)"
sed -n '/^[a-z]/p' tree.txt
echo "->"
./restore-tree --nest 2 tree.txt
